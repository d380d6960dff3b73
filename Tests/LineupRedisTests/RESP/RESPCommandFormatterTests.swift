import CHiredis
import Testing

@testable import LineupRedis

@Suite("RESP command encoding: as the protocol says, as hiredis formats it")
struct RESPCommandFormatterTests {
  @Test("text arguments become a RESP array of bulk strings")
  func text() throws {
    let bytes = try RESPCommandFormatter.format(RedisCommand("SET", "key", "value"))
    #expect(String(decoding: bytes, as: UTF8.self) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
  }

  @Test("arguments are binary-safe: CR, LF, NUL and empty arguments survive")
  func binary() throws {
    let command = RedisCommand(bytes: [Array("SET".utf8), [0, 13, 10, 255], []])
    let bytes = try RESPCommandFormatter.format(command)
    #expect(bytes == Array("*3\r\n$3\r\nSET\r\n$4\r\n".utf8) + [0, 13, 10, 255] + Array("\r\n$0\r\n\r\n".utf8))
  }

  /// hiredis' own formatting of `arguments` (`redisFormatCommandArgv`): the oracle the
  /// encoding is held to.
  static func hiredis(_ arguments: [[UInt8]]) -> [UInt8] {
    var target: UnsafeMutablePointer<CChar>? = nil
    let pointers = arguments.map { argument in
      let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, argument.count))
      argument.withUnsafeBufferPointer { bytes in
        if let base = bytes.baseAddress { UnsafeMutableRawPointer(copy).copyMemory(from: base, byteCount: bytes.count) }
      }
      return UnsafePointer(copy)
    }
    defer { pointers.forEach { UnsafeMutablePointer(mutating: $0).deallocate() } }
    var argv: [UnsafePointer<CChar>?] = pointers
    var lengths = arguments.map(\.count)
    let length = redisFormatCommandArgv(&target, Int32(arguments.count), &argv, &lengths)
    guard length >= 0, let target else { return [] }
    defer { redisFreeCommand(target) }
    return Array(UnsafeRawBufferPointer(start: target, count: Int(length)))
  }

  /// RESP as the protocol defines it, written out by hand.
  static func reference(_ arguments: [[UInt8]]) -> [UInt8] {
    var bytes = Array("*\(arguments.count)\r\n".utf8)
    for argument in arguments {
      bytes += Array("$\(argument.count)\r\n".utf8) + argument + Array("\r\n".utf8)
    }
    return bytes
  }

  @Test("random binary commands format exactly as the protocol says")
  func randomCommands() throws {
    var generator = SplitMix64(seed: 0xF0_4A7)
    for _ in 0..<500 {
      let arguments = (0..<Int(1 + generator.next() % 12)).map { _ in
        (0..<Int(generator.next() % 40)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      }
      let command = RedisCommand(bytes: arguments)
      #expect(try RESPCommandFormatter.format(command) == Self.reference(arguments))
      #expect(command.resp == Self.hiredis(arguments))
      // The arguments read back from the encoding, whole and one by one.
      #expect(command.arguments == arguments && command.argumentCount == arguments.count)
      #expect(arguments.indices.allSatisfy { command.argument(at: $0).map(Array.init) == arguments[$0] })
      #expect(command.argument(at: arguments.count) == nil && command.argument(at: -1) == nil)
    }
  }

  @Test("text commands encode as their UTF-8 bytes would, lengths of every digit count included")
  func textMatchesBytes() {
    let long = String(repeating: "é", count: 5_000)  // 10,000 bytes: a five-digit length
    for arguments in [["PING"], ["SET", "k", ""], ["ZADD", "lineup:seen:{u:1}", "GT", "1764700000.25", "item-ü"], ["SET", "big", long]] {
      let command = RedisCommand(arguments[0], Array(arguments.dropFirst()))
      #expect(command == RedisCommand(bytes: arguments.map { Array($0.utf8) }))
      #expect(command.resp == Self.hiredis(arguments.map { Array($0.utf8) }))
    }
  }

  @Test("large commands (thousands of arguments, a megabyte argument) encode the same way")
  func largeCommands() throws {
    let many = [Array("MSET".utf8)] + (0..<5_000).map { Array("key-\($0)".utf8) }
    #expect(try RESPCommandFormatter.format(RedisCommand(bytes: many)) == Self.reference(many))
    #expect(RedisCommand(bytes: many).resp == Self.hiredis(many))
    let big = [Array("SET".utf8), Array("k".utf8), [UInt8](repeating: 0xAB, count: 1 << 20)]
    #expect(try RESPCommandFormatter.format(RedisCommand(bytes: big)) == Self.reference(big))
  }

  @Test("a command without arguments is refused")
  func empty() {
    #expect(throws: RedisError.self) { try RESPCommandFormatter.format(RedisCommand(bytes: [])) }
  }

  @Test("a command's description never shows its arguments (AUTH carries a password)")
  func description() {
    #expect(RedisCommand("auth", "user", "secret").description == "AUTH")
  }
}
