import Foundation

/// Latency, error and cache budgets per RPC (loadtest/budgets.json). A run that breaks any
/// of them fails, naming each broken budget.
package struct Budgets: Sendable, Codable, Equatable {
  /// One RPC's budget; every limit is optional.
  package struct Limits: Sendable, Codable, Equatable {
    package var p95Ms: Double?
    package var p99Ms: Double?
    /// Highest acceptable share of failed requests, e.g. 0.005.
    package var maxErrorRate: Double?
    /// Lowest acceptable share of responses served from the response cache.
    package var minCacheHitRate: Double?

    package init(p95Ms: Double? = nil, p99Ms: Double? = nil, maxErrorRate: Double? = nil, minCacheHitRate: Double? = nil) {
      self.p95Ms = p95Ms
      self.p99Ms = p99Ms
      self.maxErrorRate = maxErrorRate
      self.minCacheHitRate = minCacheHitRate
    }
  }

  /// Limits by RPC short name ("recs", "feed", "price", "trending", "ingest").
  package var rpcs: [String: Limits]

  package init(rpcs: [String: Limits]) {
    self.rpcs = rpcs
  }

  /// Reads a budgets file.
  package static func load(_ path: String) throws -> Budgets {
    try JSONDecoder().decode(Budgets.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// Every broken budget, as a sentence naming the RPC, the limit and the measured value.
  /// `checkCacheHit` is off for runs that do not aim at the cache (cache-miss, fallback-only).
  package func violations(_ summaries: [RPCSummary], checkCacheHit: Bool = true) -> [String] {
    var broken: [String] = []
    for summary in summaries {
      guard let limits = rpcs[summary.rpc], summary.requests > 0 else { continue }
      if let p95 = limits.p95Ms, summary.p95 > p95 {
        broken.append("\(summary.rpc) p95 \(LoadReport.ms(summary.p95)) ms > budget \(p95) ms")
      }
      if let p99 = limits.p99Ms, summary.p99 > p99 {
        broken.append("\(summary.rpc) p99 \(LoadReport.ms(summary.p99)) ms > budget \(p99) ms")
      }
      if let maxErrors = limits.maxErrorRate, summary.errorRate > maxErrors {
        broken.append("\(summary.rpc) error rate \(LoadReport.percent(summary.errorRate)) > budget \(LoadReport.percent(maxErrors))")
      }
      if checkCacheHit, let minHits = limits.minCacheHitRate, let hits = summary.cacheHitRate, hits < minHits {
        broken.append("\(summary.rpc) cache hit \(LoadReport.percent(hits)) < budget \(LoadReport.percent(minHits))")
      }
    }
    return broken
  }
}
