import Foundation
import LineupEval
import Testing

/// Top-k metrics against hand-computed values.
@Suite("Ranking metrics")
struct RankingMetricsTests {
  let categories = ["a": "x", "b": "x", "c": "y", "d": "z", "e": "y"]

  @Test func handComputedSlate() {
    // Hits at positions 0 and 2 of 4; 3 relevant items, k = 4.
    let score = SlateScore(slate: ["a", "b", "c", "d"], relevant: ["a", "c", "q"], categoryOf: categories, k: 4)
    #expect(score.precision == 0.5)
    #expect(abs(score.recall - 2.0 / 3) < 1e-12)
    let dcg = 1 / log2(2.0) + 1 / log2(4.0)
    let ideal = 1 / log2(2.0) + 1 / log2(3.0) + 1 / log2(4.0)
    #expect(abs(score.ndcg - dcg / ideal) < 1e-12)
    // Pairs: ab same, ac ad bc bd cd different → 5 of 6.
    #expect(score.diversity.map { abs($0 - 5.0 / 6) < 1e-12 } == true)
  }

  @Test func perfectAndEmptySlates() {
    let perfect = SlateScore(slate: ["a", "c"], relevant: ["a", "c"], categoryOf: categories, k: 10)
    #expect(perfect.ndcg == 1)
    #expect(perfect.recall == 1)
    // A short slate is not excused from precision@k.
    #expect(perfect.precision == 0.2)
    let miss = SlateScore(slate: ["b"], relevant: ["a"], categoryOf: categories, k: 10)
    #expect(miss.ndcg == 0 && miss.precision == 0 && miss.recall == 0)
    #expect(miss.diversity == nil)
  }

  @Test func onlyTheFirstKCount() {
    let score = SlateScore(slate: ["b", "d", "a"], relevant: ["a"], categoryOf: categories, k: 2)
    #expect(score.precision == 0)
    #expect(score.ndcg == 0)
  }

  @Test func armCoverageAndNewCreatorShare() {
    let items = (0..<10).map {
      EvalItem(
        id: "i\($0)", creatorID: "c\($0 % 3)", category: "k\($0 % 2)", createdAt: 0, creatorFirstSeen: 0,
        isNewCreator: $0 < 2)
    }
    var arm = ArmAccumulator(items: items)
    arm.add(slate: ["i0", "i2", "i3"], relevant: ["i2"], source: "MODEL", k: 3)
    arm.add(slate: ["i2", "i4", "i1"], relevant: ["i9"], source: "FALLBACK", k: 3)
    let metrics = arm.metrics
    #expect(metrics.users == 2)
    // Distinct served: i0 i1 i2 i3 i4 of 10.
    #expect(metrics.coverage == 0.5)
    // New-creator items served: i0, i1 of 6.
    #expect(abs(metrics.newCreatorShare - 2.0 / 6) < 1e-12)
    #expect(abs(metrics.precisionAt10 - (1.0 / 3) / 2) < 1e-12)
    #expect(metrics.sources == ["MODEL": 1, "FALLBACK": 1])
  }
}
