import PropertyBased
import Testing

@testable import LineupCore

@Suite("ItemIDTable: the catalog's id → ordinal map agrees with a Dictionary")
struct ItemIDTableTests {
  /// Ids of every length the word loop and the tail handle (0…40 bytes), ASCII and not.
  static func randomIDs(count: Int, seed: UInt64) -> [String] {
    var random = SplitMix64(seed: seed)
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-_:é✓🎬")
    var ids = Set<String>()
    while ids.count < count {
      let length = Int(random.next() % 41)
      ids.insert(String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
    }
    return Array(ids)
  }

  @Test("every id finds its own ordinal and absent ids find none, at any size and seed")
  func agreesWithDictionary() async {
    await propertyCheck(count: 200, input: Gen.int(in: 0...2_000), Gen.int(in: 0...Int.max)) { count, seed in
      let all = Self.randomIDs(count: count + 200, seed: UInt64(seed))
      let ids = Array(all.prefix(count))
      let absent = all.dropFirst(count)
      let table = ItemIDTable(ids, seed: UInt64(seed) | 1)
      let reference = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Int32($0)) })
      for id in ids {
        #expect(table.ordinal(of: id) { ids[Int($0)] } == reference[id])
      }
      for id in absent {
        #expect(table.ordinal(of: id) { ids[Int($0)] } == nil)
      }
    }
  }

  @Test("the same bytes hash alike however the string was made; a hash is never the empty mark")
  func hashOfBytes() {
    let small = "it-00042"
    let built = String(["i", "t", "-", "0", "0", "0", "4", "2"])
    let large = String(repeating: "x", count: 100)
    let seed: UInt64 = 12_345
    #expect(ItemIDTable.hash(small, seed: seed) == ItemIDTable.hash(built, seed: seed))
    #expect(ItemIDTable.hash(large, seed: seed) == ItemIDTable.hash(String(repeating: "x", count: 100), seed: seed))
    // Bytes past the first word and a trailing byte of zero both count.
    #expect(ItemIDTable.hash("abcdefgh1", seed: seed) != ItemIDTable.hash("abcdefgh2", seed: seed))
    #expect(ItemIDTable.hash("a", seed: seed) != ItemIDTable.hash("a\u{0}", seed: seed))
    #expect(ItemIDTable.hash("", seed: seed) & 1 == 1)
    #expect(ItemIDTable.hash(small, seed: seed) != ItemIDTable.hash(small, seed: seed + 1))
  }

  @Test("a catalog index resolves every id through the table, with a seed of its own")
  func indexUsesTable() throws {
    let ids = Self.randomIDs(count: 3_000, seed: 9)
    let items = ids.map { CandidateSourceTests.item($0, creator: "c") }
    let index = CatalogIndex(Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) }))
    for id in ids {
      let ordinal = try #require(index.ordinal(of: id))
      #expect(index.item(at: ordinal).id == id)
    }
    #expect(index.ordinal(of: "definitely-not-an-item") == nil)
  }
}
