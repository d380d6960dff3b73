import PropertyBased
import Testing

@testable import LineupCore

@Suite("Ranking pipeline: every slate keeps the guardrails and never serves what it must not")
struct RankingPipelinePropertyTests {
  let pipeline = RankingPipeline.standard()
  var policy: GuardrailPolicy { pipeline.settings.guardrails }

  @Test("per-creator cap, new-creator floor (or all eligible, reported short), category spread, distinct items, a reason on each")
  func guardrailsHold() async {
    await propertyCheck(
      count: 300, input: Gen.int(in: 1...100), Gen.int(in: 0...600), Gen.int(in: 1...80), Gen.int(in: 0...60), Gen.int(in: 0...Int.max)
    ) { size, items, creators, newShare, seed in
      let world = RandomWorld(items: items, creators: creators, newShare: newShare, slateSize: size, seed: UInt64(seed), cold: seed % 4 == 0)
      let slate = pipeline.rank(world.inputs)
      let cap = policy.creatorCap(slateSize: size)

      #expect(slate.items.count <= size)
      #expect(Set(slate.items.map(\.item.id)).count == slate.items.count)
      #expect(Dictionary(grouping: slate.items, by: \.item.creatorID).values.allSatisfy { $0.count <= cap })
      #expect(slate.items.allSatisfy { !$0.reasons.isEmpty })
      #expect(slate.items.allSatisfy { (0...1).contains($0.score) })

      // As full as the cap allows over what could be served.
      let perCreator = Dictionary(grouping: slate.ranked, by: \.item.creatorID).mapValues(\.count)
      #expect(slate.items.count == min(size, perCreator.values.reduce(0) { $0 + min(cap, $1) }))

      // The floor, whenever the candidates hold enough new-creator items within the cap.
      let eligible = Dictionary(grouping: slate.ranked.filter(\.item.isNewCreator), by: \.item.creatorID)
        .values.reduce(0) { $0 + min(cap, $1.count) }
      let floor = policy.newCreatorFloor(slateSize: size)
      let served = slate.items.count(where: \.item.isNewCreator)
      #expect(served >= min(floor, eligible))
      let floorReport = slate.guardrails.first { $0.name == SlateSelector.newCreatorFloorName }
      #expect(floorReport?.satisfied == (served >= floor))

      // Category spread, where the candidates allow it: a slate short of K categories must
      // have had no room beyond the floor, or every missing category's items must belong to
      // creators already at the cap. The report says whether it is short.
      let spread = slate.guardrails.first { $0.name == SlateSelector.categorySpreadName }
      let servedCategories = Set(slate.items.map(\.item.category))
      let available = Set(slate.ranked.map(\.item.category))
      let wanted = min(policy.minCategories, size, available.count)
      if servedCategories.count < wanted {
        let perServedCreator = Dictionary(grouping: slate.items, by: \.item.creatorID).mapValues(\.count)
        let blocked = available.subtracting(servedCategories).allSatisfy { category in
          slate.ranked.filter { $0.item.category == category }.allSatisfy { perServedCreator[$0.item.creatorID, default: 0] >= cap }
        }
        #expect(blocked || size < floor + policy.minCategories)
      }
      #expect(spread?.satisfied == (servedCategories.count >= wanted))
    }
  }

  @Test("nothing excluded, already seen, unavailable or unknown to the catalog is ever served")
  func filtersHold() async {
    await propertyCheck(count: 200, input: Gen.int(in: 1...100), Gen.int(in: 0...400), Gen.int(in: 0...Int.max)) { size, items, seed in
      let world = RandomWorld(items: items, creators: 40, newShare: 20, slateSize: size, seed: UInt64(seed))
      let inputs = world.inputs
      let slate = pipeline.rank(inputs)
      for served in slate.items {
        #expect(!inputs.request.excludedItemIDs.contains(served.item.id))
        #expect(!inputs.recentItems.contains(served.item.id))
        #expect(inputs.catalog[served.item.id]?.isAvailable == true)
      }
    }
  }

  @Test("the blend admits exactly the proposed items CandidateFilter.admit lets through, each once, with every proposing source")
  func blendMatchesTheFilter() async {
    await propertyCheck(count: 200, input: Gen.int(in: 1...100), Gen.int(in: 0...400), Gen.int(in: 0...Int.max)) { size, items, seed in
      let world = RandomWorld(items: items, creators: 40, newShare: 20, slateSize: size, seed: UInt64(seed), cold: seed % 5 == 0)
      let inputs = world.inputs
      let proposals = pipeline.sources.map { (source: $0.name, candidates: $0.candidates(for: inputs)) }
      let filter = CandidateFilter(inputs, settings: pipeline.settings)
      let ranked = BlendedScorer(settings: pipeline.settings).rank(proposals, filter: filter)

      let proposed = proposals.filter { pipeline.settings.weight(of: $0.source) > 0 }.flatMap { proposal in
        proposal.candidates.map { (id: $0.itemID, source: proposal.source) }
      }
      let admitted = Set(proposed.map(\.id).filter { if case .success = filter.admit($0) { true } else { false } })
      #expect(ranked.count == Set(ranked.map(\.item.id)).count)
      #expect(Set(ranked.map(\.item.id)) == admitted)
      for candidate in ranked {
        #expect(candidate.item == inputs.catalog[candidate.item.id], "the catalog's own item")
        #expect(Set(candidate.contributions.map(\.source)) == Set(proposed.filter { $0.id == candidate.item.id }.map(\.source)))
      }
    }
  }

  @Test("exploration's in-place partition orders candidates exactly as the plain Set-based reference does, explored marks included")
  func mixerMatchesReference() async {
    await propertyCheck(count: 200, input: Gen.int(in: 1...100), Gen.int(in: 0...400), Gen.int(in: 0...Int.max)) { size, items, seed in
      let world = RandomWorld(items: items, creators: 40, newShare: 20, slateSize: size, seed: UInt64(seed), cold: seed % 3 == 0)
      let mixer = ExplorationMixer(settings: pipeline.settings)
      let proposals = pipeline.sources.map { (source: $0.name, candidates: $0.candidates(for: world.inputs)) }
      let scored = BlendedScorer(settings: pipeline.settings).rank(proposals, filter: CandidateFilter(world.inputs, settings: pipeline.settings))
      let usual = mixer.usualCategories(world.inputs, ranked: scored)
      let expected = Self.referenceMix(scored, size: size, usual: usual, slots: pipeline.settings.explorationSlots(slateSize: size))
      // By name (no catalog) and by the catalog's category keys: the same order.
      for mixed in [mixer.mix(scored, size: size, usual: usual), mixer.mix(scored, size: size, usual: usual, catalog: world.inputs.catalog)] {
        #expect(mixed.map(\.item.id) == expected.map(\.item.id))
        #expect(mixed.map(\.explored) == expected.map(\.explored))
      }
    }
  }

  @Test("the selector keyed by the catalog's creator and category keys picks exactly what it picks by name")
  func keyedSelectionMatchesByName() async {
    await propertyCheck(count: 200, input: Gen.int(in: 1...100), Gen.int(in: 0...400), Gen.int(in: 1...60), Gen.int(in: 0...Int.max)) {
      size, items, creators, seed in
      let world = RandomWorld(items: items, creators: creators, newShare: 25, slateSize: size, seed: UInt64(seed), cold: seed % 3 == 0)
      let (ranked, _) = pipeline.rankedCandidates(world.inputs)
      #expect(ranked.allSatisfy { $0.creatorKey >= 0 && $0.categoryKey >= 0 }, "the blend numbers every candidate")
      let byName = ranked.map { candidate in
        var candidate = candidate
        (candidate.creatorKey, candidate.categoryKey) = (-1, -1)
        return candidate
      }
      let selector = SlateSelector(policy: policy)
      let keyed = selector.pick(ranked, size: size)
      let named = selector.pick(byName, size: size)
      #expect(keyed.picks.map(\.index) == named.picks.map(\.index))
      #expect(keyed.picks.map(\.guardrail) == named.picks.map(\.guardrail))
      #expect(keyed.reports == named.reports)
    }
  }

  /// The exploration stage as first written (Sets of indices, copies): the specification
  /// the in-place version must keep.
  static func referenceMix(_ ranked: [RankedCandidate], size: Int, usual: Set<String>, slots: Int) -> [RankedCandidate] {
    guard slots > 0, !usual.isEmpty else { return ranked }
    var explore: [Int] = []
    for index in ranked.indices where explore.count < slots && !usual.contains(ranked[index].item.category) { explore.append(index) }
    guard !explore.isEmpty else { return ranked }
    let exploreSet = Set(explore)
    let keep = ranked.indices.filter { !exploreSet.contains($0) }.prefix(size - explore.count)
    let head = Set(keep).union(exploreSet)
    var mixed = head.sorted().map { index -> RankedCandidate in
      var candidate = ranked[index]
      candidate.explored = exploreSet.contains(index) && index >= size
      return candidate
    }
    mixed += ranked.indices.filter { !head.contains($0) }.map { ranked[$0] }
    return mixed
  }
}
