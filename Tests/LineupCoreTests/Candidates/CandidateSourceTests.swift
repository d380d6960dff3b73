import Testing

@testable import LineupCore

@Suite("Candidate sources")
struct CandidateSourceTests {
  static let br = CountryCode("BR")!

  static func item(_ id: String, creator: String = "c", category: String = "music", new: Bool = false, createdAt: Int64 = 0) -> CatalogItem {
    CatalogItem(id: id, creatorID: creator, category: category, createdAt: createdAt, isNewCreator: new)
  }

  static func inputs(
    catalog: [CatalogItem] = [], model: ModelCandidates? = nil, recent: [String] = [], coVisits: [String: [PopularityEntry]] = [:],
    live: [PopularityEntry]? = nil, file: [PopularityEntry] = [], newCreators: [CatalogItem] = []
  ) -> CandidateInputs {
    let byID = Dictionary(uniqueKeysWithValues: catalog.map { ($0.id, $0) })
    return CandidateInputs(
      request: RecommendationRequest(userID: "u", context: RequestContext(country: br), limit: 10), catalog: byID, model: model,
      recentItems: recent, coVisits: coVisits, liveTrending: live,
      fallback: FallbackData(catalog: byID, countries: [br: file], global: [], version: "fallback:t"), newCreatorItems: newCreators)
  }

  @Test("model: scores normalized to the best candidate; non-finite and non-positive scores dropped")
  func model() {
    let candidates = ModelCandidates(modelVersion: "m", items: [
      PopularityEntry(itemID: "a", score: 4), PopularityEntry(itemID: "b", score: 1), PopularityEntry(itemID: "c", score: .nan),
      PopularityEntry(itemID: "d", score: 0),
    ])
    let proposed = ModelCandidateSource().candidates(for: Self.inputs(model: candidates))
    #expect(proposed.map(\.itemID) == ["a", "b"])
    #expect(proposed.map(\.score) == [1, 0.25])
    #expect(proposed.allSatisfy { $0.reason.code == .modelScore && $0.reason.text.contains("m") })
    #expect(ModelCandidateSource().candidates(for: Self.inputs()).isEmpty)
  }

  @Test("co-visitation: the newest seen item weighs most, the seen item itself is never proposed, the reason names it")
  func coVisitation() {
    let inputs = Self.inputs(
      recent: ["new", "old"],
      coVisits: [
        "new": [PopularityEntry(itemID: "x", score: 10), PopularityEntry(itemID: "new", score: 9), PopularityEntry(itemID: "y", score: 5)],
        "old": [PopularityEntry(itemID: "y", score: 8), PopularityEntry(itemID: "z", score: 8)],
      ])
    let proposed = CoVisitationSource().candidates(for: inputs)
    // x: 1 × 10/10 = 1; y: 1 × 5/10 + ½ × 8/8 = 1; z: ½ × 8/8 = 0.5 — ties by id.
    #expect(proposed.map(\.itemID) == ["x", "y", "z"])
    #expect(proposed.map(\.score) == [1, 1, 0.5])
    #expect(proposed.first { $0.itemID == "z" }?.reason.text.contains("old") == true)
    #expect(proposed.allSatisfy { $0.reason.code == .coVisitation })
  }

  @Test("trending: the live rung first, then the country's file, scored by rank so the ladder's order survives the blend")
  func trending() {
    let catalog = ["l1", "l2", "f1", "f2"].map { Self.item($0) }
    let inputs = Self.inputs(
      catalog: catalog, live: [PopularityEntry(itemID: "l1", score: 0.2), PopularityEntry(itemID: "l2", score: 0.1)],
      file: [PopularityEntry(itemID: "f1", score: 99), PopularityEntry(itemID: "l1", score: 50), PopularityEntry(itemID: "f2", score: 1)])
    let proposed = CountryTrendingSource().candidates(for: inputs)
    #expect(proposed.map(\.itemID) == ["l1", "l2", "f1", "f2"])
    #expect(zip(proposed, proposed.dropFirst()).allSatisfy { $0.score > $1.score })
    #expect(proposed.first?.score == 1)
    #expect(proposed.allSatisfy { $0.reason.code == .popularInCountry })
  }

  @Test("new creators: the newest pool items the country's lists do not already hold, scores falling with age")
  func newCreators() {
    let pool = (0..<5).map { Self.item("n\($0)", creator: "new-\($0)", new: true, createdAt: Int64(100 - $0)) }
    let inputs = Self.inputs(catalog: pool, live: [PopularityEntry(itemID: "n1", score: 1)], file: [PopularityEntry(itemID: "n3", score: 1)], newCreators: pool)
    var settings = RankingSettings()
    settings.minimumNewCreatorDepth = 2
    settings.newCreatorsPerItem = 0
    let proposed = NewCreatorSource(settings: settings).candidates(for: inputs)
    #expect(proposed.map(\.itemID) == ["n0", "n2"])
    #expect(proposed[0].score > proposed[1].score)
    #expect(proposed.allSatisfy { $0.reason.code == .newCreator })
  }

  @Test("the catalog's new-creator pool holds available new-creator items only, newest first")
  func pool() {
    var hidden = Self.item("hidden", new: true, createdAt: 500)
    hidden.isAvailable = false
    let holder = CatalogHolder(files: Dictionary(uniqueKeysWithValues: [
      Self.item("old", new: true, createdAt: 1), Self.item("young", new: true, createdAt: 9), Self.item("veteran", createdAt: 10), hidden,
    ].map { ($0.id, $0) }))
    #expect(holder.newCreatorItems.map(\.id) == ["young", "old"])
    holder.apply([Self.item("fresh", new: true, createdAt: 20)], through: 1)
    #expect(holder.snapshot.newCreatorItems.map(\.id) == ["fresh", "young", "old"])
  }
}
