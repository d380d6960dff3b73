import Testing

@testable import LineupCore

@Suite("Catalog index: ordinals, the ladder's lookup, the blend's ordinal slots")
struct CatalogIndexTests {
  typealias Source = CandidateSourceTests

  static let items = (0..<200).map { Source.item("item-\($0)", creator: "c\($0 % 7)") }
  static let index = CatalogIndex(Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) }))

  @Test("every item has one ordinal, which gives the item back; unknown ids have none")
  func ordinals() throws {
    let index = Self.index
    #expect(index.count == Self.items.count)
    var seen = Set<Int32>()
    for item in Self.items {
      let ordinal = try #require(index.ordinal(of: item.id))
      #expect(seen.insert(ordinal).inserted, "ordinals are distinct")
      #expect(index.item(at: ordinal) == item)
      #expect(index[item.id] == item)
      #expect(index.numbers(ordinal, as: item.id))
      #expect(index.numberedItem(item.id)?.ordinal == ordinal)
    }
    #expect(seen == Set(0..<Int32(Self.items.count)))
    #expect(index.ordinal(of: "nope") == nil && index["nope"] == nil && index.numberedItem("nope") == nil)
    #expect(!index.numbers(-1, as: "item-0") && !index.numbers(Int32(Self.items.count), as: "item-0"))
    #expect(Set(index.ids) == Set(Self.items.map(\.id)))
    // A plain dictionary serves the ladder too, without ordinals.
    let plain = Dictionary(uniqueKeysWithValues: Self.items.map { ($0.id, $0) })
    #expect(plain.numberedItem("item-3")?.item == Self.items[3] && plain.numberedItem("item-3")?.ordinal == nil)
  }

  @Test("a source's ordinal hint that numbers another item is ignored: the blend looks the id up")
  func wrongHintIgnored() throws {
    let index = Self.index
    let wrong = try #require(index.ordinal(of: "item-5"))
    let reason = Reason(code: .modelScore, text: "m", weight: 0)
    let proposals: RankingPipeline.Proposals = [
      (.model, [
        SourcedCandidate(itemID: "item-1", score: 1, reason: reason, ordinal: wrong),
        SourcedCandidate(itemID: "item-2", score: 0.5, reason: reason, ordinal: try #require(index.ordinal(of: "item-2"))),
        SourcedCandidate(itemID: "item-3", score: 0.25, reason: reason, ordinal: -7),
      ])
    ]
    let ranked = BlendedScorer(settings: RankingSettings()).rank(proposals, filter: CandidateFilter(catalog: index, excluded: [], seen: []))
    #expect(ranked.map(\.item.id) == ["item-1", "item-2", "item-3"])
  }

  @Test("the trending source passes on the ordinals the ladder found, each numbering its own item")
  func trendingPassesOrdinals() throws {
    let inputs = Source.inputs(
      catalog: Self.items, live: [PopularityEntry(itemID: "item-9", score: 3), PopularityEntry(itemID: "ghost", score: 2)],
      file: [PopularityEntry(itemID: "item-4", score: 1)])
    let proposed = CountryTrendingSource().candidates(for: inputs)
    #expect(proposed.map(\.itemID).prefix(2) == ["item-9", "item-4"])
    for candidate in proposed {
      let ordinal = try #require(candidate.ordinal)
      #expect(inputs.catalog.numbers(ordinal, as: candidate.itemID))
    }
  }

  @Test("ordinal slots hold what was claimed and set, through collisions and a full load")
  func slots() {
    var slots = OrdinalSlots(capacity: 1_000)
    // Ordinals far apart and close together, so that some share buckets.
    let ordinals: [Int32] = (0..<1_000).map { (n: Int) -> Int32 in Int32(n % 2 == 0 ? n : 1_000_000 + n * 4_096) }
    for (slot, ordinal) in ordinals.enumerated() {
      #expect(slots.claim(ordinal, as: Int32(slot)) == nil, "unclaimed the first time")
    }
    for (slot, ordinal) in ordinals.enumerated() {
      #expect(slots.claim(ordinal, as: -99) == Int32(slot), "claimed once, kept")
    }
    slots.set(ordinals[10], to: -1)
    slots.set(7_777_777, to: 42)
    #expect(slots.claim(ordinals[10], as: 0) == -1)
    #expect(slots.claim(7_777_777, as: 0) == 42)
    #expect(slots.claim(ordinals[11], as: 0) == 11)
  }
}
