import Testing

@testable import LineupCore

@Suite("Ingestion plan")
struct IngestionPlanTests {
  static let br = CountryCode("BR")!
  static let t0 = 1_800_000_000.0
  static let catalog: [String: CatalogItem] = [
    "a": CatalogItem(id: "a", creatorID: "cr-a", category: "music", createdAt: 0, isNewCreator: false),
    "b": CatalogItem(id: "b", creatorID: "cr-b", category: "music", createdAt: 0, isNewCreator: false),
  ]

  static func event(_ id: String, user: String = "u1", item: String, type: InteractionType = .like, at: Double, country: CountryCode? = br) -> Interaction {
    Interaction(eventID: id, userID: user, itemID: item, type: type, timestamp: at, context: RequestContext(country: country))
  }

  @Test("popularity is aggregated per (country, item) and decayed to the latest event")
  func popularity() {
    var settings = IngestionSettings()
    settings.popularityHalfLife = 100
    let plan = IngestionPlan.make(
      events: [
        Self.event("1", item: "a", at: Self.t0), Self.event("2", item: "a", at: Self.t0 + 100),
        Self.event("3", item: "b", type: .view, at: Self.t0), Self.event("4", item: "b", at: Self.t0, country: nil),
      ],
      recentItems: [:], catalog: { Self.catalog[$0] }, settings: settings)
    #expect(plan.popularity.count == 2)
    // Two likes (weight 2), one a half-life older: 2·½ + 2 = 3 as of the later one.
    #expect(plan.popularity[0] == PopularityIncrement(country: Self.br, itemID: "a", weight: 3, at: Self.t0 + 100))
    // A view with no watch time weighs 1; the event without a country adds no popularity.
    #expect(plan.popularity[1] == PopularityIncrement(country: Self.br, itemID: "b", weight: 1, at: Self.t0))
  }

  @Test("views earn a capped watch-time bonus")
  func watchBonus() {
    let settings = IngestionSettings()
    var view = Self.event("1", item: "a", type: .view, at: Self.t0)
    view.watchSeconds = 45
    #expect(settings.weight(of: view) == 2.5)
    view.watchSeconds = 10_000
    #expect(settings.weight(of: view) == 1 + settings.maxWatchBonus)
  }

  @Test("co-visits count each new item under every item of the user's recent window; users never mix")
  func coVisits() {
    var settings = IngestionSettings()
    settings.coVisitationWindow = 2
    let plan = IngestionPlan.make(
      events: [
        Self.event("1", item: "c", at: Self.t0 + 1), Self.event("2", item: "d", at: Self.t0 + 2),
        Self.event("3", user: "u2", item: "z", at: Self.t0),
      ],
      recentItems: ["u1": ["a", "b", "old"]], catalog: { Self.catalog[$0] }, settings: settings)
    let pairs = Set(plan.coVisits.map { "\($0.itemID)>\($0.otherItemID)" })
    // c after the window [a, b]; then d after [c, a] (b dropped out of a window of 2).
    #expect(pairs == ["a>c", "b>c", "c>d", "a>d"])
    #expect(plan.coVisits.allSatisfy { $0.count == 1 })
  }

  @Test("seen keeps the latest time per item, creators their earliest, feed invalidation every user")
  func seenAndCreators() {
    let plan = IngestionPlan.make(
      events: [Self.event("1", item: "a", at: Self.t0 + 5), Self.event("2", item: "a", at: Self.t0), Self.event("3", user: "u2", item: "b", at: Self.t0)],
      recentItems: [:], catalog: { Self.catalog[$0] }, settings: IngestionSettings())
    #expect(plan.seen == [SeenUpdate(userID: "u1", itemID: "a", at: Self.t0 + 5), SeenUpdate(userID: "u2", itemID: "b", at: Self.t0)])
    #expect(plan.creatorsFirstSeen == ["cr-a": Int64(Self.t0), "cr-b": Int64(Self.t0)])
    #expect(plan.feedInvalidations == ["u1", "u2"])
    #expect(plan.events.count == 3)
  }
}
