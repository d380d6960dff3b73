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

  /// A RESP value written out as the protocol defines it (the reference for the round trips).
  static func wire(_ value: RESPValue) -> [UInt8] {
    switch value {
    case .status(let text): Array("+\(text)\r\n".utf8)
    case .error(let text): Array("-\(text)\r\n".utf8)
    case .integer(let number): Array(":\(number)\r\n".utf8)
    case .bulk(let bytes): Array("$\(bytes.count)\r\n".utf8) + bytes + Array("\r\n".utf8)
    case .null: Array("$-1\r\n".utf8)
    case .array(let elements): Array("*\(elements.count)\r\n".utf8) + elements.flatMap(wire)
    }
  }

  /// A random reply, arrays nested at most `depth` deep.
  static func randomValue(_ generator: inout SplitMix64, depth: Int) -> RESPValue {
    let text = { (generator: inout SplitMix64) in
      String((0..<Int(generator.next() % 12)).map { _ in Character(UnicodeScalar(UInt8(97 + generator.next() % 26))) })
    }
    switch generator.next() % (depth > 0 ? 6 : 5) {
    case 0: return .status(text(&generator))
    case 1: return .error("ERR " + text(&generator))
    case 2: return .integer(Int64(bitPattern: generator.next()))
    case 3: return .bulk((0..<Int(generator.next() % 40)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
    case 4: return .null
    default: return .array((0..<Int(generator.next() % 5)).map { _ in randomValue(&generator, depth: depth - 1) })
    }
  }

  @Test("random replies, nested arrays included, survive random chunking")
  func randomRoundTrips() throws {
    var generator = SplitMix64(seed: 0x5EED_0F_4E5B)
    for _ in 0..<300 {
      let values = (0..<Int(1 + generator.next() % 6)).map { _ in Self.randomValue(&generator, depth: 3) }
      let wire = values.flatMap(Self.wire)
      var chunks: [ArraySlice<UInt8>] = []
      var start = 0
      while start < wire.count {
        let end = min(wire.count, start + 1 + Int(generator.next() % 24))
        chunks.append(wire[start..<end])
        start = end
      }
      #expect(try parse(chunks: chunks) == values)
    }
  }

  @Test("an array larger than the up-front reservation parses whole")
  func largeArray() throws {
    let value = RESPValue.array((0..<5_000).map { .bulk(Array("member-\($0)".utf8)) })
    #expect(try parse(chunks: [Self.wire(value)[...]]) == [value])
  }

  @Test("a huge announced array is only a promise: nothing is reserved for it, more bytes are awaited")
  func hugeAnnouncedArray() throws {
    let reader = try RESPReplyReader()
    try Array("*2147483647\r\n:1\r\n".utf8).withUnsafeBytes { try reader.feed($0) }
    #expect(try reader.next() == nil)
  }

  @Test("nesting deeper than hiredis supports is a protocol error, not a crash")
  func tooDeep() throws {
    let reader = try RESPReplyReader()
    try Array((String(repeating: "*1\r\n", count: 12) + ":1\r\n").utf8).withUnsafeBytes { try reader.feed($0) }
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
