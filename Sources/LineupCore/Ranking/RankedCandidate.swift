/// A candidate after the filter and the blend: its blended score and what each source
/// contributed, kept so every served item can say why it is there and
/// ExplainRecommendation can give the factors.
package struct RankedCandidate: Sendable, Equatable {
  package var item: CatalogItem
  /// The blended score in [0, 1].
  package var score: Double
  /// One per source that proposed the item, largest contribution first.
  package var contributions: [SourceContribution]
  /// Brought forward as exploration (outside the user's usual categories).
  package var explored = false
  /// The item's creator and category keys in the request's `CatalogIndex` (-1: not numbered),
  /// so the guardrails and exploration compare integers instead of hashing strings.
  package var creatorKey: Int32
  package var categoryKey: Int32

  package init(
    item: CatalogItem, score: Double, contributions: [SourceContribution], explored: Bool = false, creatorKey: Int32 = -1,
    categoryKey: Int32 = -1
  ) {
    self.item = item
    self.score = score
    self.contributions = contributions
    self.explored = explored
    self.creatorKey = creatorKey
    self.categoryKey = categoryKey
  }

  /// The item as served before guardrails: one reason per contributing source (weighted by
  /// its contribution), the new-creator mark, and the exploration reason.
  package var servedItem: ServedItem {
    var reasons = contributions.map { contribution in
      var reason = contribution.reason
      reason.weight = min(1, contribution.contribution)
      return reason
    }
    if item.isNewCreator && !reasons.contains(where: { $0.code == .newCreator }) {
      reasons.append(FallbackLadder.newCreatorReason)
    }
    if explored {
      reasons.append(Reason(code: .exploration, text: "Something different for you: \(item.category)", weight: 0))
    }
    return ServedItem(item: item, score: score, reasons: reasons)
  }
}

/// What one candidate source added to an item's score.
package struct SourceContribution: Sendable, Equatable {
  package var source: CandidateSourceName
  /// The source's own score for the item, in (0, 1].
  package var sourceScore: Double
  /// The source's share of the blend: its weight over the sum of the weights in play.
  package var weight: Double
  /// sourceScore × weight: what it added to the blended score.
  package var contribution: Double
  /// The reason the source gave.
  package var reason: Reason

  package init(source: CandidateSourceName, sourceScore: Double, weight: Double, contribution: Double, reason: Reason) {
    self.source = source
    self.sourceScore = sourceScore
    self.weight = weight
    self.contribution = contribution
    self.reason = reason
  }
}

extension ReasonCode {
  /// Shown for variety: outside the categories the user usually sees.
  package static let exploration = ReasonCode(rawValue: "EXPLORATION")
}
