import LineupCore
import Testing

@Suite("Flag evaluation")
struct FlagEvaluationTests {
  /// "user-0" … "user-9999": sequential ids, the case a weak hash gets wrong.
  static let users = (0..<10_000).map { "user-\($0)" }

  private func admitted(_ flag: FeatureFlag) -> Set<String> {
    Set(Self.users.filter { flag.evaluate(userID: $0, country: "BR").result == .on })
  }

  // MARK: The evaluation order

  @Test("the kill switch beats everything: regions, a full rollout, shadow, variants")
  func killBeatsEverything() {
    let flag = FeatureFlag(
      name: "recs", killed: true, rolloutBps: 10_000, regions: ["BR"], shadow: true,
      variants: [FlagVariant(name: "control", weightBps: 10_000)])
    for user in Self.users.prefix(200) {
      let evaluation = flag.evaluate(userID: user, country: "BR")
      #expect(evaluation.result == .off)
      #expect(evaluation.reason == "killed")
      #expect(evaluation.variant == "")
    }
  }

  @Test("a country outside the regions is off, before the rollout is looked at")
  func regionBeforeRollout() {
    let flag = FeatureFlag(name: "recs", rolloutBps: 0, regions: ["BR", "PT"])
    let evaluation = flag.evaluate(userID: "user-1", country: "US")
    #expect(
      evaluation == FlagEvaluation(flag: "recs", result: .off, reason: "region_not_targeted", variant: "", bucket: 870))
    #expect(flag.evaluate(userID: "user-1", country: "PT").reason == "rollout_excluded")
  }

  @Test("regions match the country in any case", arguments: ["BR", "br", "Br", "bR"])
  func regionCaseInsensitive(country: String) {
    let flag = FeatureFlag(name: "recs", regions: ["BR"])
    #expect(flag.evaluate(userID: "user-1", country: country).result == .on)
  }

  @Test("an unknown or malformed country is outside any region list", arguments: ["", "BRA", "B", "1R", " BR"])
  func unknownCountry(country: String) {
    let targeted = FeatureFlag(name: "recs", regions: ["BR"])
    #expect(targeted.evaluate(userID: "user-1", country: country).reason == "region_not_targeted")
    // Without regions the country does not matter.
    #expect(FeatureFlag(name: "recs").evaluate(userID: "user-1", country: country).result == .on)
  }

  @Test("the rollout admits exactly the buckets below it")
  func rolloutBoundary() {
    // user-1's bucket under "recs" is 870 (docs/flags.md).
    #expect(
      FeatureFlag(name: "recs", rolloutBps: 870).evaluate(userID: "user-1", country: "").reason == "rollout_excluded")
    #expect(
      FeatureFlag(name: "recs", rolloutBps: 871).evaluate(userID: "user-1", country: "").reason == "rollout_included")
  }

  @Test("0 bps admits nobody and 10000 bps everybody")
  func rolloutExtremes() {
    #expect(admitted(FeatureFlag(name: "recs", rolloutBps: 0)).isEmpty)
    #expect(admitted(FeatureFlag(name: "recs", rolloutBps: 10_000)).count == Self.users.count)
    #expect(FeatureFlag(name: "recs").evaluate(userID: "user-1", country: "").reason == "rollout_included")
  }

  @Test("shadow mode turns an admitted user's on into shadow, and leaves off alone")
  func shadowMode() {
    let flag = FeatureFlag(name: "recs", rolloutBps: 5_000, shadow: true)
    let results = Set(Self.users.prefix(500).map { flag.evaluate(userID: $0, country: "").result })
    #expect(results == [.shadow, .off])
    let included = flag.evaluate(userID: "user-1", country: "")
    #expect(included.result == .shadow)
    #expect(included.reason == "shadow")
    #expect(flag.evaluate(userID: "user-2", country: "").reason == "rollout_excluded")
  }

  @Test("the evaluation carries the flag's name and the bucket of its salt, not of its name")
  func bucketFromSalt() {
    let flag = FeatureFlag(name: "recs", salt: "recs-2026-q3")
    let evaluation = flag.evaluate(userID: "user-1", country: "")
    #expect(evaluation.flag == "recs")
    #expect(evaluation.bucket == 6473)
    #expect(evaluation.bucket == FlagBucket.bucket(salt: "recs-2026-q3", userID: "user-1"))
    // The bucket is reported even when a rule before the rollout decides.
    #expect(FeatureFlag(name: "recs", killed: true).evaluate(userID: "user-1", country: "").bucket == 870)
  }

  // MARK: Rollout shares

  @Test("the admitted share is within 1 point of the rollout", arguments: [100, 1_000, 5_000, 9_900])
  func rolloutShare(rolloutBps: Int) {
    let share = Double(admitted(FeatureFlag(name: "recs", rolloutBps: rolloutBps)).count) / Double(Self.users.count)
    #expect(abs(share - Double(rolloutBps) / 10_000) <= 0.01, "share \(share) at \(rolloutBps) bps")
  }

  @Test("raising the rollout only adds users")
  func monotone() {
    let at10 = admitted(FeatureFlag(name: "recs", rolloutBps: 1_000))
    let at20 = admitted(FeatureFlag(name: "recs", rolloutBps: 2_000))
    #expect(at10.isSubset(of: at20))
    #expect(at20.count > at10.count)
  }

  @Test("a new salt reshuffles who is in")
  func saltReshuffles() {
    let before = admitted(FeatureFlag(name: "recs", rolloutBps: 5_000))
    let after = admitted(FeatureFlag(name: "recs", rolloutBps: 5_000, salt: "recs-2026-q3"))
    // Independent halves overlap on about half; the same set would overlap entirely.
    let overlap = Double(before.intersection(after).count) / Double(before.count)
    #expect(abs(overlap - 0.5) <= 0.03, "overlap \(overlap)")
  }

  // MARK: Variants

  private func variantShares(_ flag: FeatureFlag) -> [String: Double] {
    var counts: [String: Int] = [:]
    var population = 0
    for user in Self.users {
      let evaluation = flag.evaluate(userID: user, country: "")
      guard evaluation.result != .off else { continue }
      population += 1
      counts[evaluation.variant, default: 0] += 1
    }
    return counts.mapValues { Double($0) / Double(population) }
  }

  @Test(
    "variant shares are within 1.5 points of their weights",
    arguments: [[5_000, 5_000], [1_000, 9_000]]
  )
  func variantShare(weights: [Int]) {
    let variants = weights.enumerated().map { FlagVariant(name: "v\($0.offset)", weightBps: $0.element) }
    let shares = variantShares(FeatureFlag(name: "recs", variants: variants))
    #expect(Set(shares.keys) == Set(variants.map(\.name)))
    for variant in variants {
      let share = shares[variant.name] ?? 0
      #expect(abs(share - Double(variant.weightBps) / 10_000) <= 0.015, "\(variant.name): \(share)")
    }
  }

  @Test("a small rollout still splits evenly between variants")
  func variantsWithinSmallRollout() {
    // The variant comes from its own hash; taken from the rollout bucket, nearly everyone
    // admitted at 10% would be in the first half of the range, i.e. in "control".
    let flag = FeatureFlag(
      name: "recs", rolloutBps: 1_000,
      variants: [FlagVariant(name: "control", weightBps: 5_000), FlagVariant(name: "treatment", weightBps: 5_000)])
    let control = variantShares(flag)["control"] ?? 0
    #expect(abs(control - 0.5) <= 0.05, "control \(control)")
  }

  @Test("variants follow the variant bucket over cumulative weights in listed order")
  func variantBoundaries() {
    // user-1's variant bucket under "recs" is 7024 (docs/flags.md).
    func variant(_ weights: [(String, Int)]) -> String {
      FeatureFlag(name: "recs", variants: weights.map { FlagVariant(name: $0.0, weightBps: $0.1) })
        .evaluate(userID: "user-1", country: "").variant
    }
    #expect(variant([("a", 7_024), ("b", 2_976)]) == "b")
    #expect(variant([("a", 7_025), ("b", 2_975)]) == "a")
    #expect(variant([("a", 0), ("b", 7_025), ("c", 2_975)]) == "b")
  }

  @Test("a shadow evaluation has a variant; an off one never does")
  func variantOnlyWhenServed() {
    let variants = [FlagVariant(name: "control", weightBps: 10_000)]
    func variant(_ flag: FeatureFlag, country: String = "BR") -> String {
      flag.evaluate(userID: "user-1", country: country).variant
    }
    #expect(variant(FeatureFlag(name: "recs", shadow: true, variants: variants)) == "control")
    #expect(variant(FeatureFlag(name: "recs", rolloutBps: 0, variants: variants)) == "")
    #expect(variant(FeatureFlag(name: "recs", regions: ["PT"], variants: variants)) == "")
    #expect(variant(FeatureFlag(name: "recs")) == "")
  }

  @Test("an invalid stored flag evaluates without trapping")
  func invalidFlagIsTotal() {
    let flag = FeatureFlag(
      name: "recs", rolloutBps: -5,
      variants: [FlagVariant(name: "a", weightBps: .max), FlagVariant(name: "b", weightBps: .max)])
    #expect(flag.evaluate(userID: "user-1", country: "").reason == "rollout_excluded")
    let overfull = FeatureFlag(
      name: "recs", variants: [FlagVariant(name: "a", weightBps: -1), FlagVariant(name: "b", weightBps: .max)])
    #expect(overfull.evaluate(userID: "user-1", country: "").variant == "b")
    let short = FeatureFlag(name: "recs", variants: [FlagVariant(name: "a", weightBps: 100)])
    #expect(short.evaluate(userID: "user-1", country: "").variant == "")
  }
}
