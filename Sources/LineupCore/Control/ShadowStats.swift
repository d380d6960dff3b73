/// One shadow run: the answer shadow mode served next to the one the shadowed capability
/// would have served, computed off the critical path.
package struct ShadowComparison: Sendable, Equatable {
  /// For a slate or a feed page, overlap@k: the share of the served items the shadowed one
  /// also holds. For a price, 1 when the personalized quote equals the served price, else 0.
  package var overlap: Double
  /// How much longer the shadowed path took than the served one, in seconds (negative when
  /// it was faster).
  package var extraSeconds: Double
  /// Pricing only: the personalized price ÷ the served price (below 1, the discount
  /// personalization would have given).
  package var priceRatio: Double?

  package init(overlap: Double, extraSeconds: Double, priceRatio: Double? = nil) {
    self.overlap = overlap
    self.extraSeconds = extraSeconds
    self.priceRatio = priceRatio
  }

  /// overlap@k of `shadowed` with `served` (1 when nothing was served: nothing to disagree with).
  package static func overlap(served: [String], shadowed: [String]) -> Double {
    guard !served.isEmpty else { return 1 }
    let shadowedIDs = Set(shadowed)
    return Double(served.count { shadowedIDs.contains($0) }) / Double(served.count)
  }
}

/// What the shadow comparisons of one flag found: how many ran and their means.
package struct ShadowStats: Sendable, Equatable {
  package private(set) var runs = 0
  private var overlapSum = 0.0
  private var extraSecondsSum = 0.0
  private var priceRatioSum = 0.0
  private var pricedRuns = 0

  package init() {}

  package var meanOverlap: Double { runs == 0 ? 0 : overlapSum / Double(runs) }
  package var meanExtraSeconds: Double { runs == 0 ? 0 : extraSecondsSum / Double(runs) }
  /// Nil when no run compared prices.
  package var meanPriceRatio: Double? { pricedRuns == 0 ? nil : priceRatioSum / Double(pricedRuns) }

  mutating func add(_ comparison: ShadowComparison) {
    runs += 1
    overlapSum += comparison.overlap
    extraSecondsSum += comparison.extraSeconds
    if let ratio = comparison.priceRatio {
      priceRatioSum += ratio
      pricedRuns += 1
    }
  }
}
