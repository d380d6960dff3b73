import Testing

@testable import LineupRedis

@Suite("RESP reply reader (hiredis)")
struct RESPReplyReaderTests {
  /// Wire bytes and the value each must parse to, covering every reply type.
  static let samples: [(wire: String, value: RESPValue)] = [
    ("+OK\r\n", .status("OK")),
    ("-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
    ("-MOVED 3999 127.0.0.1:6381\r\n", .error("MOVED 3999 127.0.0.1:6381")),
    (":0\r\n", .integer(0)),
    (":-42\r\n", .integer(-42)),
    (":9223372036854775807\r\n", .integer(.max)),
    ("$5\r\nhello\r\n", .bulk(Array("hello".utf8))),
    ("$0\r\n\r\n", .bulk([])),
    ("$6\r\na\r\nb\0c\r\n", .bulk([97, 13, 10, 98, 0, 99])),
    ("$-1\r\n", .null),
    ("*-1\r\n", .null),
    ("*0\r\n", .array([])),
    ("*3\r\n:1\r\n$1\r\nx\r\n$-1\r\n", .array([.integer(1), .bulk([120]), .null])),
    (
      "*2\r\n*2\r\n+a\r\n*1\r\n:7\r\n-ERR inner\r\n",
      .array([.array([.status("a"), .array([.integer(7)])]), .error("ERR inner")])
    ),
  ]

  static var allWire: [UInt8] { samples.flatMap { Array($0.wire.utf8) } }
  static var allValues: [RESPValue] { samples.map(\.value) }

  private func parse(chunks: [ArraySlice<UInt8>]) throws -> [RESPValue] {
    let reader = try RESPReplyReader()
    var values: [RESPValue] = []
    for chunk in chunks {
      try Array(chunk).withUnsafeBytes { try reader.feed($0) }
      while let value = try reader.next() { values.append(value) }
    }
    return values
  }

  @Test("every reply type parses to its Swift value", arguments: samples.indices)
  func eachType(index: Int) throws {
    let sample = Self.samples[index]
    #expect(try parse(chunks: [Array(sample.wire.utf8)[...]]) == [sample.value])
  }

  @Test("the whole stream split at every byte boundary parses the same")
  func everySplit() throws {
    let wire = Self.allWire
    for split in 0...wire.count {
      #expect(try parse(chunks: [wire[..<split], wire[split...]]) == Self.allValues, "split at \(split)")
    }
  }

  @Test("the stream fed one byte at a time parses the same")
  func byteByByte() throws {
    let wire = Self.allWire
    #expect(try parse(chunks: wire.indices.map { wire[$0...$0] }) == Self.allValues)
  }

  @Test("an incomplete reply is not a reply yet")
  func incomplete() throws {
    let reader = try RESPReplyReader()
    try Array("$5\r\nhel".utf8).withUnsafeBytes { try reader.feed($0) }
    #expect(try reader.next() == nil)
    try Array("lo\r\n".utf8).withUnsafeBytes { try reader.feed($0) }
    #expect(try reader.next() == .bulk(Array("hello".utf8)))
  }

  @Test("malformed replies are protocol errors, not crashes", arguments: [
    "?what\r\n", ":abc\r\n", "*x\r\n", "$abc\r\n", "!\r\n", "\r\n",
  ])
  func malformed(wire: String) throws {
    let reader = try RESPReplyReader()
    try Array(wire.utf8).withUnsafeBytes { try reader.feed($0) }
    #expect(throws: RedisError.self) { _ = try reader.next() }
  }

  @Test("random bytes never crash the reader")
  func randomBytes() throws {
    var generator = SplitMix64(seed: 0x11AE_0501)
    let alphabet = Array("+-:$*\r\n0123456789-abc\0".utf8)
    for _ in 0..<3_000 {
      let reader = try RESPReplyReader()
      let length = Int(generator.next() % 64)
      // Half the inputs draw from RESP's own alphabet, so they get deep into the parser.
      let structured = generator.next() % 2 == 0
      let bytes = (0..<length).map { _ in
        structured ? alphabet[Int(generator.next() % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: generator.next())
      }
      do {
        try bytes.withUnsafeBytes { try reader.feed($0) }
        while try reader.next() != nil {}
      } catch {
        // A protocol error is the expected outcome for most inputs.
      }
    }
  }
}

/// A tiny deterministic generator, so a failing random input can be reproduced.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
