import Testing

@testable import LineupRedis

@Suite("RESP command formatting (hiredis)")
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

  /// RESP as the protocol defines it, written out by hand to check hiredis' output against.
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
      #expect(try RESPCommandFormatter.format(RedisCommand(bytes: arguments)) == Self.reference(arguments))
    }
  }

  @Test("large commands (too big for stack scratch space) format the same way")
  func largeCommands() throws {
    let many = [Array("MSET".utf8)] + (0..<5_000).map { Array("key-\($0)".utf8) }
    #expect(try RESPCommandFormatter.format(RedisCommand(bytes: many)) == Self.reference(many))
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
