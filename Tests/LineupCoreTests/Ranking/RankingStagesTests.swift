import Testing

@testable import LineupCore

@Suite("Ranking stages: filter, blend, exploration, explanation")
struct RankingStagesTests {
  typealias Source = CandidateSourceTests

  static func proposals(_ ids: [String], score: Double = 1, code: ReasonCode = .modelScore) -> [SourcedCandidate] {
    ids.map { SourcedCandidate(itemID: $0, score: score, reason: Reason(code: code, text: code.rawValue, weight: 0)) }
  }

  @Test("the blend is the weighted mean over the sources in play; contributions add up to the score; filtered items never appear")
  func blend() {
    var unavailable = Source.item("gone")
    unavailable.isAvailable = false
    let catalog = Dictionary(uniqueKeysWithValues: (["a", "b", "seen", "excluded"].map { Source.item($0) } + [unavailable]).map { ($0.id, $0) })
    let filter = CandidateFilter(catalog: CatalogIndex(catalog), excluded: ["excluded"], seen: ["seen"])
    var settings = RankingSettings()
    settings.weights = [.model: 3, .trending: 1, .coVisitation: 5]
    let ranked = BlendedScorer(settings: settings).rank(
      [
        (.model, Self.proposals(["a", "ghost", "gone", "seen", "excluded"], score: 1)),
        (.trending, Self.proposals(["b", "a"], score: 0.5, code: .popularInCountry)),
        (.coVisitation, []),  // proposed nothing: its weight is not in play
      ], filter: filter)
    #expect(ranked.map(\.item.id) == ["a", "b"])
    // a: (3 × 1 + 1 × 0.5) / 4; b: (1 × 0.5) / 4.
    #expect(abs(ranked[0].score - 0.875) < 1e-12)
    #expect(abs(ranked[1].score - 0.125) < 1e-12)
    #expect(ranked.allSatisfy { abs($0.contributions.reduce(0) { $0 + $1.contribution } - $0.score) < 1e-12 })
    #expect(ranked[0].contributions.map(\.source) == [.model, .trending])
    #expect(filter.admit("ghost") == .failure(.unknownItem))
    #expect(filter.admit("gone") == .failure(.unavailable))
    #expect(filter.admit("seen") == .failure(.alreadySeen))
    #expect(filter.admit("excluded") == .failure(.excluded))
  }

  @Test("exploration keeps ⌊20% × size⌋ of the slate for the best items outside the user's categories, each saying so")
  func exploration() {
    let music = (0..<20).map { Source.item("m\($0)", creator: "cm\($0)", category: "music") }
    let other = (0..<5).map { Source.item("o\($0)", creator: "co\($0)", category: $0 % 2 == 0 ? "gaming" : "sports") }
    var ranked = (music + other).enumerated().map { index, item in
      RankedCandidate(item: item, score: 1 - Double(index) / 100, contributions: [])
    }
    ranked.sort { $0.score > $1.score }
    let mixer = ExplorationMixer(settings: RankingSettings())
    let mixed = mixer.mix(ranked, size: 10, usual: ["music"])
    let head = Array(mixed.prefix(10))
    #expect(head.count(where: { $0.item.category != "music" }) == 2)
    #expect(head.filter(\.explored).map(\.item.id) == ["o0", "o1"])
    #expect(head.filter(\.explored).allSatisfy { $0.servedItem.reasons.contains { $0.code == .exploration } })
    #expect(Set(mixed.map(\.item.id)) == Set(ranked.map(\.item.id)))
    // The user's categories: seen items and the model's best; a cold user's come from what ranks first.
    let inputs = Source.inputs(catalog: music + other, recent: ["o1"], newCreators: [])
    #expect(mixer.usualCategories(inputs, ranked: ranked) == ["sports"])
    #expect(mixer.usualCategories(Source.inputs(catalog: music + other), ranked: ranked) == ["music"])
    // Nothing outside the usual categories, or a slate too small for a slot: unchanged.
    #expect(mixer.mix(ranked, size: 4, usual: ["music"]).map(\.item.id) == ranked.map(\.item.id))
    #expect(mixer.mix(ranked, size: 10, usual: ["music", "gaming", "sports"]).map(\.item.id) == ranked.map(\.item.id))
  }

  @Test("an explanation says why an item is out: already seen, capped, below the cut, not a candidate")
  func explanationsOut() {
    // One prolific creator: at slate size 5 the cap is 1, so its second item is capped.
    let items = [Source.item("big-1", creator: "big"), Source.item("big-2", creator: "big")]
      + (0..<8).map { Source.item("i\($0)", creator: "c\($0)", category: ["music", "gaming", "sports"][$0 % 3]) }
    var inputs = Source.inputs(
      catalog: items + [Source.item("watched", creator: "w"), Source.item("unproposed", creator: "u")],
      model: ModelCandidates(modelVersion: "m", items: (["big-1", "big-2", "watched"] + (0..<8).map { "i\($0)" }).enumerated().map {
        PopularityEntry(itemID: $1, score: 1 - Double($0) / 20)
      }),
      recent: ["watched"])
    inputs.request.limit = 5
    let pipeline = RankingPipeline(sources: [ModelCandidateSource()], settings: RankingSettings())
    let slate = pipeline.rank(inputs)
    func explain(_ id: String) -> Explanation {
      Explanation(itemID: id, slate: slate, inputs: inputs, settings: pipeline.settings, provenance: Provenance(source: .model, modelVersion: "m", requestID: "r", ttlSeconds: 1, computedAt: 0))
    }
    #expect(explain("big-1").position == 1)
    #expect(explain("big-1").factors.map(\.name) == ["model"])
    #expect(explain("big-2").notInSlateReason == "creator_cap")
    #expect(explain("big-2").guardrails == ["creator_cap"])
    #expect(explain("watched").notInSlateReason == "already_seen")
    #expect(explain("i7").notInSlateReason == "below_cutoff")
    #expect(explain("unproposed").notInSlateReason == "not_a_candidate")
  }
}
