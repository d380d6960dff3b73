import Testing

@testable import LineupRedis

/// The key → slot function against the Redis Cluster spec's vectors; values checked with
/// `CLUSTER KEYSLOT` on redis-server 7.0 (the integration suite re-checks against a live one).
@Suite("Redis Cluster hash slots: CRC16 (XMODEM) and hash tags")
struct RedisClusterSlotTests {
  @Test("CRC16 matches the cluster spec's check value")
  func crc16CheckValue() {
    #expect(RedisClusterSlot.crc16(Array("123456789".utf8)) == 0x31C3)
    #expect(RedisClusterSlot.crc16([UInt8]()) == 0)
    // XMODEM, not CCITT-FALSE (0x29B1) nor KERMIT (0x2189): the variant matters.
    #expect(RedisClusterSlot.crc16(Array("123456789".utf8)) != 0x29B1)
  }

  @Test(
    "slots of plain keys match CLUSTER KEYSLOT",
    arguments: [("123456789", 12739), ("foo", 12182), ("bar", 5061), ("user1000", 3443), ("", 0)])
  func plainKeys(key: String, slot: Int) {
    #expect(RedisClusterSlot.slot(for: key) == slot)
    #expect(RedisClusterSlot.slot(for: Array(key.utf8)) == slot)
  }

  @Test(
    "a hash tag is the first {…} with something inside",
    arguments: [
      ("{user1000}.following", "user1000", 3443),
      ("{user1000}.followers", "user1000", 3443),
      ("foo{}{bar}", "foo{}{bar}", 8363),  // empty first tag: the whole key is hashed
      ("foo{{bar}}zap", "{bar", 4015),  // from the first { to the next }
      ("foo{bar}{zap}", "bar", 5061),  // only the first tag counts
      ("no{close", "no{close", RedisClusterSlot.slot(for: "no{close")),
      ("}{x}", "x", RedisClusterSlot.slot(for: "x")),
    ])
  func hashTags(key: String, hashed: String, slot: Int) {
    #expect(RedisClusterSlot.slot(for: key) == slot)
    #expect(RedisClusterSlot.slot(for: key) == RedisClusterSlot.slot(for: hashed))
    #expect(String(decoding: RedisClusterSlot.hashTag(of: Array(key.utf8)), as: UTF8.self) == hashed)
  }

  @Test("keys sharing a tag share a slot; without the tag they scatter")
  func sharedTags() {
    let tagged = Set((0..<100).map { RedisClusterSlot.slot(for: "{u:42}:field\($0)") })
    #expect(tagged == [RedisClusterSlot.slot(for: "u:42")])
    let untagged = Set((0..<100).map { RedisClusterSlot.slot(for: "u:42:field\($0)") })
    #expect(untagged.count > 90)
    #expect(untagged.allSatisfy { (0..<RedisClusterSlot.count).contains($0) })
  }

  @Test("binary keys hash byte for byte")
  func binaryKeys() {
    let key: [UInt8] = [0, 0xFF, UInt8(ascii: "{"), 0x80, UInt8(ascii: "}"), 10]
    #expect(RedisClusterSlot.slot(for: key) == Int(RedisClusterSlot.crc16([0x80]) % 16384))
  }
}
