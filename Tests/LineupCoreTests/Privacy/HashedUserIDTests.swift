import Testing

@testable import LineupCore

@Suite("Hashed user ids")
struct HashedUserIDTests {
  @Test("stable, distinct per user, and never contains the raw id")
  func hashing() {
    let first = HashedUserID("alice@example.com").description
    #expect(first == HashedUserID("alice@example.com").description)
    #expect(first != HashedUserID("bob@example.com").description)
    #expect(!first.contains("alice"))
    #expect(first.hasPrefix("u-") && first.count == 18)
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
