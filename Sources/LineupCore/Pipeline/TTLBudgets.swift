/// How long each kind of stored answer or state lives, in seconds. Defaults are the
/// deployment playbooks' TTL budgets (DESIGN.md "Budgets", issue "Redis data plane").
package struct TTLBudgets: Sendable, Equatable {
  /// Response cache and caller-facing `ttl_sec` of GetRecommendations. Default 300.
  package var recommendations = 300
  /// GetTrending. Default 300.
  package var trending = 300
  /// One feed page. Default 60.
  package var feed = 60
  /// One price quote. Default 300.
  package var prices = 300
  /// A user's feature hash written by the feature pipeline (pricing segments). Default 24 h.
  package var userFeatures = 86_400
  /// A feed session's set of served items. Default 30 min.
  package var feedSession = 1_800
  /// Stored TTLs are spread by ±this fraction so entries written together do not all
  /// expire (and get recomputed) in the same second. Default 0.10.
  package var jitter = 0.10

  package init() {}

  /// `seconds` spread by ±`jitter`, at least 1; `unit` is a uniform draw in [0, 1) (injected
  /// so tests can pin it).
  package func jittered(_ seconds: Int, unit: Double = Double.random(in: 0..<1)) -> Int {
    let spread = Double(seconds) * jitter * (2 * unit - 1)
    return max(1, Int((Double(seconds) + spread).rounded()))
  }
}
