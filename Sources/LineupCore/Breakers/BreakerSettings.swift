/// When a circuit breaker opens and how it recovers. One value per guarded dependency (Redis
/// reads, Redis writes, …); the defaults suit a dependency that answers within milliseconds
/// and is expected to fail almost never.
package struct BreakerSettings: Sendable, Equatable, Codable {
  /// Outcomes the failure and slow-call rates are computed over: the last this many calls
  /// (count-based, so a quiet dependency keeps its history). Default 100.
  package var windowSize = 100
  /// No verdict before the window holds this many calls, so one early failure cannot open
  /// the breaker. Default 20.
  package var minimumCalls = 20
  /// The breaker opens when the window's failure rate is strictly above this. Default 0.02:
  /// 3 failures in 100 calls open it, 2 do not.
  package var failureRateThreshold = 0.02
  /// The breaker opens when the window's slow-call rate is strictly above this. Default 0.5.
  package var slowCallRateThreshold = 0.5
  /// A call that takes at least this many seconds counts as slow, whether it failed or not.
  /// Default 0.1.
  package var slowCallSeconds = 0.1
  /// Seconds an open breaker refuses every call before it lets trials through. Default 2:
  /// with 5 s, a Redis back right after a failed trial was served from the baselines for
  /// 5–6 s (make bench, redis-kill), past the 5 s recovery promise.
  package var openSeconds = 2.0
  /// Trial calls a half-open breaker lets through. It closes once all of them have reported
  /// with failure and slow rates at or below the thresholds, else it opens again. Default 5.
  package var halfOpenTrialCalls = 5

  package init() {}

  /// Why these settings cannot drive a breaker, naming the field, or nil when they can.
  package var problem: String? {
    if windowSize < 1 { return "windowSize \(windowSize) must be at least 1" }
    if minimumCalls < 1 || minimumCalls > windowSize {
      return "minimumCalls \(minimumCalls) must be in 1…windowSize (\(windowSize))"
    }
    // `contains` is false for NaN, so a NaN threshold is reported too.
    if !(0...1).contains(failureRateThreshold) {
      return "failureRateThreshold \(failureRateThreshold) must be in 0…1"
    }
    if !(0...1).contains(slowCallRateThreshold) {
      return "slowCallRateThreshold \(slowCallRateThreshold) must be in 0…1"
    }
    if !(slowCallSeconds.isFinite && slowCallSeconds > 0) {
      return "slowCallSeconds \(slowCallSeconds) must be a finite number above 0"
    }
    // Infinite would leave an open breaker open until an operator steps in.
    if !(openSeconds.isFinite && openSeconds > 0) {
      return "openSeconds \(openSeconds) must be a finite number above 0"
    }
    if halfOpenTrialCalls < 1 { return "halfOpenTrialCalls \(halfOpenTrialCalls) must be at least 1" }
    return nil
  }

  /// Decodes what is present and keeps the default for every missing key, so a configuration
  /// file names only the settings it changes.
  package init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = BreakerSettings()
    windowSize = try container.decodeIfPresent(Int.self, forKey: .windowSize) ?? defaults.windowSize
    minimumCalls = try container.decodeIfPresent(Int.self, forKey: .minimumCalls) ?? defaults.minimumCalls
    failureRateThreshold =
      try container.decodeIfPresent(Double.self, forKey: .failureRateThreshold) ?? defaults.failureRateThreshold
    slowCallRateThreshold =
      try container.decodeIfPresent(Double.self, forKey: .slowCallRateThreshold) ?? defaults.slowCallRateThreshold
    slowCallSeconds = try container.decodeIfPresent(Double.self, forKey: .slowCallSeconds) ?? defaults.slowCallSeconds
    openSeconds = try container.decodeIfPresent(Double.self, forKey: .openSeconds) ?? defaults.openSeconds
    halfOpenTrialCalls =
      try container.decodeIfPresent(Int.self, forKey: .halfOpenTrialCalls) ?? defaults.halfOpenTrialCalls
  }
}
