import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A one-connection TCP server on a free loopback port that answers with scripted bytes, for
/// what a real redis-server never sends: invalid RESP, replies nobody asked for. It runs on its
/// own thread with blocking sockets (never on the cooperative pool) and stops when the client
/// hangs up or the server is deinitialised.
final class ScriptedRESPServer: Sendable {
  /// What to send, and when.
  enum Script: Sendable {
    /// As soon as the client connects, before it sends anything.
    case onConnect([UInt8])
    /// After the first bytes the client sends (its first command or pipeline).
    case afterFirstRead([UInt8])
  }

  let port: Int
  private let listener: Int32

  init(_ script: Script) throws {
    #if canImport(Glibc)
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { throw ScriptedServerError("socket() failed: errno \(errno)") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard bound == 0, named == 0, listen(descriptor, 1) == 0 else {
      close(descriptor)
      throw ScriptedServerError("bind/listen failed: errno \(errno)")
    }
    listener = descriptor
    port = Int(UInt16(bigEndian: address.sin_port))

    let thread = Thread {
      let client = accept(descriptor, nil, nil)
      guard client >= 0 else { return }
      defer { close(client) }
      var buffer = [UInt8](repeating: 0, count: 4096)
      switch script {
      case .onConnect(let bytes):
        Self.send(bytes, to: client)
      case .afterFirstRead(let bytes):
        guard read(client, &buffer, buffer.count) > 0 else { return }
        Self.send(bytes, to: client)
      }
      // Hold the connection until the client closes it.
      while read(client, &buffer, buffer.count) > 0 {}
    }
    thread.start()
  }

  deinit {
    // Unblocks a pending accept().
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  private static func send(_ bytes: [UInt8], to client: Int32) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
      guard written > 0 else { return }
      offset += written
    }
  }
}

/// Why the scripted server could not start.
struct ScriptedServerError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
