import Testing

@testable import LineupCore

/// A popularity store that always fails, to prove the ladder goes on without it.
private struct FailingPopularityStore: PopularityStore {
  struct Down: Error {}
  func topItems(in country: CountryCode, limit: Int, deadline: ContinuousClock.Instant) async throws -> [PopularityEntry] { throw Down() }
  func addPopularity(_ increments: [PopularityIncrement], decay: PopularityDecay, deadline: ContinuousClock.Instant) async throws {
    throw Down()
  }
}

@Suite("Fallback ladder")
struct FallbackLadderTests {
  static let br = CountryCode("BR")!
  static let jp = CountryCode("JP")!

  /// 30 items: it-0…it-29, creators cr-0…cr-9, categories alternate music/gaming, every
  /// fifth creator new. BR ranks it-0…it-9, global ranks it-29 down to it-0.
  static func data() -> FallbackData {
    let items = (0..<30).map { index in
      CatalogItem(
        id: "it-\(index)", creatorID: "cr-\(index % 10)", category: index % 2 == 0 ? "music" : "gaming",
        createdAt: 0, isNewCreator: index % 5 == 0)
    }
    return FallbackData(
      catalog: Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) }),
      countries: [br: (0..<10).map { PopularityEntry(itemID: "it-\($0)", score: 1 - Double($0) / 10) }],
      global: (0..<30).reversed().map { PopularityEntry(itemID: "it-\($0)", score: Double($0 + 1) / 30) },
      version: "fallback:test"
    )
  }

  @Test("a known country is served from its file, best first")
  func countryFile() async {
    let result = await FallbackLadder(data: Self.data(), live: nil).rank(country: Self.br, limit: 5)
    #expect(result.items.map(\.item.id) == ["it-0", "it-1", "it-2", "it-3", "it-4"])
    #expect(result.level == .countryFile)
    #expect(result.items.allSatisfy { $0.reasons.first?.code == .popularInCountry })
  }

  @Test("an unknown country and no country get the global list")
  func unknownCountry() async {
    for country in [Self.jp, nil] {
      let result = await FallbackLadder(data: Self.data(), live: nil).rank(country: country, limit: 3)
      #expect(result.items.map(\.item.id) == ["it-29", "it-28", "it-27"])
      #expect(result.level == .global)
      #expect(result.items.allSatisfy { $0.reasons.first?.code == .popularGlobally })
    }
  }

  @Test("a short country list is filled up from the global list, without duplicates")
  func fillsUp() async {
    let result = await FallbackLadder(data: Self.data(), live: nil).rank(country: Self.br, limit: 15)
    let ids = result.items.map(\.item.id)
    #expect(ids.count == 15)
    #expect(Set(ids).count == 15)
    #expect(Array(ids.prefix(10)) == (0..<10).map { "it-\($0)" })
    #expect(Array(ids.suffix(5)) == ["it-29", "it-28", "it-27", "it-26", "it-25"])
    #expect(result.level == .countryFile)
  }

  @Test("excluded items and other categories are never served")
  func filters() async {
    let ladder = FallbackLadder(data: Self.data(), live: nil)
    let excluded = await ladder.rank(country: Self.br, limit: 10, excluding: ["it-0", "it-3"])
    #expect(!excluded.items.contains { ["it-0", "it-3"].contains($0.item.id) })
    #expect(excluded.items.count == 10)
    let music = await ladder.rank(country: Self.br, limit: 8, category: "music")
    #expect(music.items.count == 8)
    #expect(music.items.allSatisfy { $0.item.category == "music" })
  }

  @Test("every item carries a reason; new-creator items say so")
  func reasons() async {
    let result = await FallbackLadder(data: Self.data(), live: nil).rank(country: Self.br, limit: 10)
    for served in result.items {
      #expect(!served.reasons.isEmpty)
      #expect(served.reasons.contains { $0.code == .newCreator } == served.item.isNewCreator)
    }
  }

  @Test("asking for more than exists returns everything once")
  func exhausts() async {
    let result = await FallbackLadder(data: Self.data(), live: nil).rank(country: Self.br, limit: 100)
    #expect(result.items.count == 30)
  }

  @Test("live popularity is the first rung, and unknown live items are skipped")
  func liveRung() async throws {
    let store = InMemoryStore()
    try await store.addPopularity(
      [("it-20", 5), ("not-in-catalog", 3), ("it-21", 1)].map { PopularityIncrement(country: Self.br, itemID: $0, weight: $1, at: 1_000) },
      decay: PopularityDecay(halfLife: 3_600), deadline: .now + .seconds(1))
    let result = await FallbackLadder(data: Self.data(), live: store).rank(country: Self.br, limit: 4)
    #expect(result.items.map(\.item.id) == ["it-20", "it-21", "it-0", "it-1"])
    #expect(result.level == .countryLive)
  }

  @Test("a failing live store is reported and the files still answer")
  func liveFailure() async {
    let result = await FallbackLadder(data: Self.data(), live: FailingPopularityStore()).rank(country: Self.br, limit: 3)
    #expect(result.items.map(\.item.id) == ["it-0", "it-1", "it-2"])
    #expect(result.level == .countryFile)
    #expect(result.liveFailure != nil)
  }

  @Test("without a live deadline the live rung is not asked")
  func noLiveDeadline() async {
    let result = await FallbackLadder(data: Self.data(), live: FailingPopularityStore()).rank(country: Self.br, limit: 3, liveDeadline: nil)
    #expect(result.liveFailure == nil)
    #expect(result.level == .countryFile)
  }

  @Test("unavailable items and the ingested catalog's overrides are honoured")
  func catalogOverlay() async {
    var catalog = Self.data().catalog
    catalog["it-0"]?.isAvailable = false
    let result = await FallbackLadder(data: Self.data(), catalog: catalog, live: nil).rank(country: Self.br, limit: 3)
    #expect(result.items.map(\.item.id) == ["it-1", "it-2", "it-3"])
  }

  @Test("no data at all gives an empty slate, not a crash")
  func empty() async {
    let result = await FallbackLadder(data: .empty, live: nil).rank(country: Self.br, limit: 10)
    #expect(result.items.isEmpty)
    #expect(result.level == .global)
  }
}
