import Testing

@testable import LineupCore

@Suite("Hashed user ids")
struct HashedUserIDTests {
  @Test("stable for one key, distinct per user and per key")
  func hashing() {
    let hasher = UserIDHasher(key: "secret")
    let alice = hasher.hash("alice@example.com").description
    #expect(alice == UserIDHasher(key: "secret").hash("alice@example.com").description)
    #expect(alice != hasher.hash("bob@example.com").description)
    #expect(alice != UserIDHasher(key: "other").hash("alice@example.com").description)
    #expect(alice != UserIDHasher(key: "").hash("alice@example.com").description)
    #expect(alice.hasPrefix("u-") && alice.count == 18)
  }

  @Test("key and id boundaries do not run together")
  func boundaries() {
    #expect(UserIDHasher(key: "ab").hash("c") != UserIDHasher(key: "a").hash("bc"))
  }

  @Test("FNV-1a 64 matches the reference vectors")
  func fnvVectors() {
    var empty = FNV1a64()
    empty.update("")
    #expect(empty.hex == "cbf29ce484222325")
    var a = FNV1a64()
    a.update("a")
    #expect(a.hex == "af63dc4c8601ec8c")
  }
}
