import PropertyBased
import Testing

@testable import LineupCore

/// Holds the ordinal-slot blend to a plain dictionary blend over hostile proposals: unknown
/// ids, an item proposed twice by one source, scores outside [0, 1], ordinal hints that are
/// right, wrong or out of range, ties, excluded and seen ids the catalog does not know.
@Suite("Blend: the ordinal-slot scorer equals a dictionary reference, scores and order")
struct BlendReferencePropertyTests {
  @Test("scores, order (ties by id), contributions and the catalog's keys match the reference")
  func blendMatchesReference() async {
    await propertyCheck(count: 300, input: Gen.int(in: 0...300), Gen.int(in: 0...4), Gen.int(in: 0...Int.max)) { items, sourceCount, seed in
      let world = HostileProposals(items: items, sources: sourceCount, seed: UInt64(seed))
      let ranked = BlendedScorer(settings: world.settings).rank(world.proposals, filter: world.filter)
      let expected = Self.referenceBlend(world.proposals, filter: world.filter, settings: world.settings)

      #expect(ranked.map(\.item.id) == expected.map(\.id))
      #expect(ranked.map(\.score) == expected.map(\.score))
      for (candidate, reference) in zip(ranked, expected) {
        // Contributions best first; equal contributions may come in either order.
        #expect(candidate.contributions.map(\.contribution) == reference.contributions.map(\.contribution))
        #expect(Set(candidate.contributions.map(\.source)) == Set(reference.contributions.map(\.source)))
        #expect(
          candidate.contributions.map { [$0.source.rawValue, $0.reason.text] }.sorted { $0.lexicographicallyPrecedes($1) }
            == reference.contributions.map { [$0.source.rawValue, $0.reason.text] }.sorted { $0.lexicographicallyPrecedes($1) },
          "each source's first proposal of the item is the one that counts")
        let ordinal = world.filter.catalog.ordinal(of: candidate.item.id)
        #expect(ordinal != nil)
        if let ordinal {
          #expect(candidate.creatorKey == world.filter.catalog.creatorKey(at: ordinal))
          #expect(candidate.categoryKey == world.filter.catalog.categoryKey(at: ordinal))
        }
      }
    }
  }

  /// The blend as the specification says it, with a dictionary and `CandidateFilter.admit`.
  static func referenceBlend(_ proposals: RankingPipeline.Proposals, filter: CandidateFilter, settings: RankingSettings)
    -> [(id: String, score: Double, contributions: [SourceContribution])]
  {
    let active = proposals.filter { !$0.candidates.isEmpty && settings.weight(of: $0.source) > 0 }
    let total = active.reduce(0) { $0 + settings.weight(of: $1.source) }
    guard total > 0 else { return [] }
    var blended: [String: (score: Double, contributions: [SourceContribution])] = [:]
    for (source, proposed) in active {
      let share = settings.weight(of: source) / total
      for candidate in proposed {
        guard case .success = filter.admit(candidate.itemID) else { continue }
        if blended[candidate.itemID]?.contributions.contains(where: { $0.source == source }) == true { continue }
        let score = min(1, max(0, candidate.score))
        let contribution = SourceContribution(
          source: source, sourceScore: score, weight: share, contribution: score * share, reason: candidate.reason)
        blended[candidate.itemID, default: (0, [])].score += score * share
        blended[candidate.itemID, default: (0, [])].contributions.append(contribution)
      }
    }
    return blended.map { (id: $0.key, score: min(1, $0.value.score), contributions: $0.value.contributions.sorted { $0.contribution > $1.contribution }) }
      .sorted { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }
  }
}

/// Random proposals built to hit every branch of the blend's hot loop.
struct HostileProposals {
  var proposals: RankingPipeline.Proposals = []
  var filter: CandidateFilter
  var settings = RankingSettings()

  init(items count: Int, sources: Int, seed: UInt64) {
    var random = SplitMix64(seed: seed)
    func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(random.next() % UInt64(n)) }
    let items = (0..<count).map { index in
      CatalogItem(
        id: "it-\(index)", creatorID: "cr-\(below(30))", category: "cat-\(below(6))", createdAt: 0, isNewCreator: below(4) == 0,
        isAvailable: below(10) != 0)
    }
    let catalog = CatalogIndex(Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) }))
    func someID() -> String { below(6) == 0 || count == 0 ? "ghost-\(below(20))" : "it-\(below(count))" }
    // Few distinct scores, so ties are common and the id tie-break is exercised.
    let scores: [Double] = [-0.5, 0, 0.25, 0.5, 0.75, 1, 1.5]
    let names: [CandidateSourceName] = [.model, .coVisitation, .trending, .newCreators]
    for source in names.prefix(sources) {
      // Zero and negative weights switch a source off; the rest are random.
      settings.weights[source] = [0, -1, 0.05, 0.1, 0.6, 1, 2.5][below(7)]
      let proposed = (0..<below(80)).map { position -> SourcedCandidate in
        let id = someID()
        let hint: Int32? =
          switch below(4) {
          case 0: nil
          case 1: catalog.ordinal(of: id)
          case 2: Int32(below(max(1, count)))
          default: [-3, Int32(count), Int32.max][below(3)]
          }
        return SourcedCandidate(
          itemID: id, score: scores[below(scores.count)], reason: Reason(code: .modelScore, text: "\(source.rawValue)#\(position)", weight: 0),
          ordinal: hint)
      }
      proposals.append((source, proposed))
    }
    filter = CandidateFilter(
      catalog: catalog, excluded: Set((0..<below(8)).map { _ in someID() }), seen: Set((0..<below(12)).map { _ in someID() }))
  }
}
