#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation
import Synchronization

/// Finds a free TCP port on the loopback interface, below the kernel's ephemeral range.
///
/// Why below it: a client that keeps reconnecting to a port in the ephemeral range while
/// nothing listens there can, now and then, be given that very port as its own source port,
/// and Linux then completes a TCP "simultaneous open" with itself — a connection to nobody
/// that looks live (checked on this machine: 60,000 connects to an unused even port 40124
/// found their own port after 1,224 tries; the likely cause of a Redis client once counting a
/// live connection to a stopped redis-server in a test). Ports below the range are never handed out as source ports, so a stopped
/// server's port stays refused. A port is bound once to check it is free, then closed; ports
/// already handed out by this process are not handed out again. Another process could take
/// one before the caller binds it; on a test machine that race is rare.
package enum FreePort {
  package static func loopback() throws -> Int {
    let ephemeralStart = ephemeralRangeStart()
    if ephemeralStart > lowestPort + 1_000 {
      for _ in 0..<200 {
        let port = Int.random(in: lowestPort..<ephemeralStart)
        guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
        if let bound = try? bind(port: port) { return bound }
      }
    }
    // No room below the range (or all taken): let the kernel choose.
    let port = try bind(port: 0)
    handedOut.withLock { _ = $0.insert(port) }
    return port
  }

  /// Above the well-known and most registered service ports a developer may run.
  private static let lowestPort = 20_000
  private static let handedOut = Mutex<Set<Int>>([])

  /// The first port of `net.ipv4.ip_local_port_range` (32768 unless changed).
  private static func ephemeralRangeStart() -> Int {
    #if os(Linux)
    if let range = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8),
      let first = range.split(whereSeparator: \.isWhitespace).first.flatMap({ Int($0) })
    {
      return first
    }
    #endif
    return 32_768
  }

  /// Binds `port` (0: any) on 127.0.0.1, closes, returns the port bound.
  private static func bind(port: Int) throws -> Int {
    #if canImport(Glibc)
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { throw TestingError("socket() failed: errno \(errno)") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemBind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestingError("bind() failed: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw TestingError("getsockname() failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}

#if canImport(Glibc)
private let systemBind = Glibc.bind
#elseif canImport(Darwin)
private let systemBind = Darwin.bind
#endif
