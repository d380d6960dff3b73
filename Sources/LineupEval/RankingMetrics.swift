import Foundation

/// Top-k quality of one slate against the items the user went on to interact with.
///
/// Definitions (k = 10 in every report):
/// - precision@k = hits in the first k ÷ k (a slate shorter than k is not excused);
/// - recall@k = hits in the first k ÷ |relevant|;
/// - NDCG@k = Σ over hits at 0-based position i of 1/log2(i + 2), divided by the same sum
///   for an ideal slate (min(k, |relevant|) hits at the top); relevance is binary;
/// - intra-list diversity = share of item pairs in the first k from different categories
///   (nil for fewer than two items).
package struct SlateScore: Sendable, Equatable {
  package var precision: Double
  package var recall: Double
  package var ndcg: Double
  package var diversity: Double?

  package init(slate: [String], relevant: Set<String>, categoryOf: [String: String], k: Int = 10) {
    let top = Array(slate.prefix(k))
    var hits = 0
    var dcg = 0.0
    for (position, item) in top.enumerated() where relevant.contains(item) {
      hits += 1
      dcg += 1 / log2(Double(position + 2))
    }
    let ideal = (0..<min(k, relevant.count)).reduce(0.0) { $0 + 1 / log2(Double($1 + 2)) }
    precision = Double(hits) / Double(k)
    recall = relevant.isEmpty ? 0 : Double(hits) / Double(relevant.count)
    ndcg = ideal > 0 ? dcg / ideal : 0
    if top.count < 2 {
      diversity = nil
    } else {
      var different = 0
      var pairs = 0
      for i in top.indices {
        for j in top.indices where j > i {
          pairs += 1
          if categoryOf[top[i]] != categoryOf[top[j]] { different += 1 }
        }
      }
      diversity = Double(different) / Double(pairs)
    }
  }
}

/// The figures of one arm (personalized or baseline) over every evaluated user: means of
/// the per-slate scores, catalog coverage (distinct items served in any first-k ÷ catalog
/// size) and new-creator share (items of new creators ÷ items served).
package struct ArmMetrics: Sendable, Equatable, Codable {
  package var users = 0
  package var precisionAt10 = 0.0
  package var recallAt10 = 0.0
  package var ndcgAt10 = 0.0
  package var coverage = 0.0
  package var diversity = 0.0
  package var newCreatorShare = 0.0
  /// Slates by provenance source (MODEL, CACHE, FALLBACK).
  package var sources: [String: Int] = [:]

  package init() {}
}

/// Accumulates slates into `ArmMetrics`.
package struct ArmAccumulator: Sendable {
  private let catalogSize: Int
  private let categoryOf: [String: String]
  private let newCreatorItems: Set<String>
  private var scores: [SlateScore] = []
  private var served = Set<String>()
  private var servedCount = 0
  private var newCreatorCount = 0
  private var sources: [String: Int] = [:]

  package init(items: [EvalItem]) {
    catalogSize = items.count
    categoryOf = Dictionary(items.map { ($0.id, $0.category) }, uniquingKeysWith: { first, _ in first })
    newCreatorItems = Set(items.filter(\.isNewCreator).map(\.id))
  }

  package mutating func add(slate: [String], relevant: Set<String>, source: String, k: Int = 10) {
    scores.append(SlateScore(slate: slate, relevant: relevant, categoryOf: categoryOf, k: k))
    for item in slate.prefix(k) {
      served.insert(item)
      servedCount += 1
      if newCreatorItems.contains(item) { newCreatorCount += 1 }
    }
    sources[source, default: 0] += 1
  }

  package var metrics: ArmMetrics {
    var metrics = ArmMetrics()
    metrics.users = scores.count
    guard !scores.isEmpty else { return metrics }
    let count = Double(scores.count)
    metrics.precisionAt10 = scores.reduce(0) { $0 + $1.precision } / count
    metrics.recallAt10 = scores.reduce(0) { $0 + $1.recall } / count
    metrics.ndcgAt10 = scores.reduce(0) { $0 + $1.ndcg } / count
    let diversities = scores.compactMap(\.diversity)
    metrics.diversity = diversities.isEmpty ? 0 : diversities.reduce(0, +) / Double(diversities.count)
    metrics.coverage = catalogSize == 0 ? 0 : Double(served.count) / Double(catalogSize)
    metrics.newCreatorShare = servedCount == 0 ? 0 : Double(newCreatorCount) / Double(servedCount)
    metrics.sources = sources
    return metrics
  }
}
