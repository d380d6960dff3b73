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

  @Test("a command without arguments is refused")
  func empty() {
    #expect(throws: RedisError.self) { try RESPCommandFormatter.format(RedisCommand(bytes: [])) }
  }

  @Test("a command's description never shows its arguments (AUTH carries a password)")
  func description() {
    #expect(RedisCommand("auth", "user", "secret").description == "AUTH")
  }
}
