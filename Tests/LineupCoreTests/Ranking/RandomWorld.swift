@testable import LineupCore

/// A random catalog and user, reproducible from a few integers (which PropertyBased
/// generates and shrinks): `items` items over `creators` creators and 8 categories, a
/// share of new creators, some unavailable items, model candidates, a seen history with
/// co-visitation sets, live popularity and exclusions.
struct RandomWorld {
  var inputs: CandidateInputs

  init(items count: Int, creators: Int, newShare: Int, slateSize: Int, seed: UInt64, cold: Bool = false) {
    var random = SplitMix64(seed: seed)
    func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(random.next() % UInt64(n)) }
    let country = CountryCode("BR")!
    let items = (0..<count).map { index in
      let creator = below(max(1, creators))
      return CatalogItem(
        id: "it-\(index)", creatorID: "cr-\(creator)", category: "cat-\(below(8))", createdAt: Int64(below(1_000_000)),
        isNewCreator: Int(UInt64(creator) &* 2_654_435_761 % 100) < newShare, isAvailable: below(20) != 0)
    }
    let catalog = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
    func someIDs(_ n: Int) -> [String] { (0..<n).map { _ in below(5) == 0 ? "ghost-\(below(50))" : "it-\(below(max(1, count)))" } }
    func entries(_ n: Int) -> [PopularityEntry] {
      someIDs(n).enumerated().map { PopularityEntry(itemID: $1, score: 1 - Double($0) / Double(n + 1)) }
    }
    let recent = cold ? [] : Array(Set(someIDs(below(30)))).sorted()
    var coVisits: [String: [PopularityEntry]] = [:]
    for seen in recent.prefix(3) { coVisits[seen] = entries(below(40)) }
    let fileEntries = entries(below(100))
    inputs = CandidateInputs(
      request: RecommendationRequest(
        userID: "u", context: RequestContext(country: country), limit: slateSize, excludedItemIDs: Set(someIDs(below(10)))),
      catalog: catalog,
      model: cold ? nil : ModelCandidates(modelVersion: "m", items: entries(below(300))),
      recentItems: recent,
      coVisits: coVisits,
      liveTrending: below(2) == 0 ? nil : entries(below(200)),
      fallback: FallbackData(
        catalog: catalog, countries: [country: fileEntries], global: entries(below(100)), version: "fallback:random"),
      newCreatorItems: CatalogHolder(files: catalog).newCreatorItems)
  }
}
