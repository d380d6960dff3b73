import Testing

@testable import LineupCore

@Suite("Candidate-source flags")
struct SourceFlagsTests {
  static func decide(_ flags: [FeatureFlag], user: String = "u1", country: String = "BR") -> SourceFlags {
    let byName = FlagCatalog.defaults().merging(flags.map { ($0.name, $0) }) { $1 }
    return SourceFlags.decide { byName[$0]?.evaluate(userID: user, country: country) }
  }

  @Test("every source runs by default; each killed, out-of-region or shadowed flag disables its own source only")
  func decisions() {
    let all = Self.decide([])
    #expect(all.disabled.isEmpty && all.fingerprintSuffix.isEmpty)
    #expect(all.evaluations.map(\.flag) == ["source.model", "source.covisitation", "source.trending", "source.new_creators"])

    #expect(Self.decide([FeatureFlag(name: "source.model", killed: true)]).disabled == [.model])
    #expect(Self.decide([FeatureFlag(name: "source.covisitation", regions: ["JP"])]).disabled == [.coVisitation])
    #expect(Self.decide([FeatureFlag(name: "source.covisitation", regions: ["JP"])], country: "JP").disabled.isEmpty)
    #expect(Self.decide([FeatureFlag(name: "source.trending", shadow: true)]).disabled == [.trending])
    #expect(Self.decide([FeatureFlag(name: "source.new_creators", rolloutBps: 0)]).disabled == [.newCreators])

    let two = Self.decide([FeatureFlag(name: "source.trending", killed: true), FeatureFlag(name: "source.model", killed: true)])
    #expect(two.fingerprintSuffix == "|without:model,trending")
  }

  @Test("with both personal sources off, the baseline sources run whatever their flags say: the slate is the baseline, never empty")
  func baselineSurvives() {
    let all = ["source.model", "source.covisitation", "source.trending", "source.new_creators"].map { FeatureFlag(name: $0, killed: true) }
    #expect(Self.decide(all).disabled == [.model, .coVisitation])
    var inputs = RandomWorld(items: 300, creators: 40, newShare: 20, slateSize: 20, seed: 3).inputs
    inputs.disabledSources = Self.decide(all).disabled
    let slate = RankingPipeline.standard().rank(inputs)
    #expect(slate.items.count == 20)
    #expect(slate.sources.isDisjoint(with: [.model, .coVisitation]))
  }

  @Test("sources left out by their breakers join the flags' and keep the safety net: the fingerprint names them; both personal ones out brings the baselines back")
  func leaveOut() {
    var flags = Self.decide([FeatureFlag(name: "source.trending", killed: true)])
    flags.leaveOut([.coVisitation])
    #expect(flags.disabled == [.trending, .coVisitation])
    #expect(flags.fingerprintSuffix == "|without:co_visitation,trending")
    flags.leaveOut([.model])
    #expect(flags.disabled == [.model, .coVisitation])
    #expect(flags.evaluations.count == 4, "the flag decisions themselves are untouched")
  }

  @Test("the pipeline builds the slate without the disabled sources: none of their reasons, and they are not reported as proposing")
  func pipelineSkipsDisabledSources() {
    var inputs = RandomWorld(items: 300, creators: 40, newShare: 20, slateSize: 20, seed: 11).inputs
    let pipeline = RankingPipeline.standard()
    let with = pipeline.rank(inputs)
    #expect(with.sources.contains(.model))
    #expect(with.items.contains { $0.reasons.contains { $0.code == .modelScore } })

    inputs.disabledSources = [.model]
    let without = pipeline.rank(inputs)
    #expect(!without.sources.contains(.model))
    #expect(!without.ranked.contains { $0.contributions.contains { $0.source == .model } })
    #expect(!without.items.contains { $0.reasons.contains { $0.code == .modelScore } })
    #expect(without.items.count == with.items.count)
  }
}
