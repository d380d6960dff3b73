/// The candidate-source flags' decisions for one request: which sources this user's slate
/// is built without (`source.model` … killed, rolled out to others, outside their regions,
/// or in shadow mode), and every decision, for metrics.
///
/// Applied to the personalized path only. The baselines are the safety net: when the
/// dependency or the RPC's own flag sends a request to them, or no personal source is left
/// on, they serve whatever the source flags say. A source flag in shadow mode serves the slate
/// without that source (GetRecommendations compares it with the slate with the source, in
/// the background).
package struct SourceFlags: Sendable, Equatable {
  /// Every source flag evaluated, in `FlagCatalog` order.
  package var evaluations: [FlagEvaluation] = []
  /// The sources not to run.
  package var disabled: Set<CandidateSourceName> = []

  package init(evaluations: [FlagEvaluation] = [], disabled: Set<CandidateSourceName> = []) {
    self.evaluations = evaluations
    self.disabled = disabled
  }

  /// Each source's flag. The flag names are not the source names ("source.covisitation" vs
  /// "co_visitation"), so the pairs are spelled out, never derived.
  package static let flagOfSource: [(flag: String, source: CandidateSourceName)] = [
    (FlagCatalog.sourceModel, .model),
    (FlagCatalog.sourceCoVisitation, .coVisitation),
    (FlagCatalog.sourceTrending, .trending),
    (FlagCatalog.sourceNewCreators, .newCreators),
  ]

  /// The decisions of `evaluate` (nil: no such flag, the source runs) for `userID`.
  package static func decide(_ evaluate: (String) -> FlagEvaluation?) -> SourceFlags {
    var decisions = SourceFlags()
    for (flag, source) in flagOfSource {
      guard let evaluation = evaluate(flag) else { continue }
      decisions.evaluations.append(evaluation)
      if evaluation.result != .on { decisions.disabled.insert(source) }
    }
    decisions.keepTheSafetyNet()
    return decisions
  }

  /// Leaves `sources` out as well (their circuit breakers refuse), under the same rule.
  package mutating func leaveOut(_ sources: Set<CandidateSourceName>) {
    guard !sources.isSubset(of: disabled) else { return }
    disabled.formUnion(sources)
    keepTheSafetyNet()
  }

  /// With no personal source left the slate is the baseline, and the baselines ignore the
  /// source flags: they are the safety net, and an empty slate serves no one.
  private mutating func keepTheSafetyNet() {
    if disabled.isSuperset(of: Self.personal) { disabled.subtract(Self.baseline) }
  }

  /// The sources that make a slate personal.
  static let personal: Set<CandidateSourceName> = [.model, .coVisitation]
  /// The sources the baselines are made of.
  static let baseline: Set<CandidateSourceName> = [.trending, .newCreators]

  /// Appended to a response-cache fingerprint, so an answer computed with a source is not
  /// served from the cache to a user that source is now off for ("" when every source runs).
  package var fingerprintSuffix: String {
    disabled.isEmpty ? "" : "|without:" + disabled.map(\.rawValue).sorted().joined(separator: ",")
  }
}
