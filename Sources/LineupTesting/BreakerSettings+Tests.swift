package import LineupCore

extension BreakerSettings {
  /// Settings small enough for a test to drive a breaker through its states in a few calls.
  /// Whatever is not named keeps its default.
  package static func forTests(
    window: Int, minimumCalls: Int, failureRate: Double, openSeconds: Double, trials: Int = 5, slowCallSeconds: Double = 0.1
  ) -> BreakerSettings {
    var settings = BreakerSettings()
    settings.windowSize = window
    settings.minimumCalls = minimumCalls
    settings.failureRateThreshold = failureRate
    settings.openSeconds = openSeconds
    settings.halfOpenTrialCalls = trials
    settings.slowCallSeconds = slowCallSeconds
    return settings
  }
}
