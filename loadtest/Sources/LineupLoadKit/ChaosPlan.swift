/// Faults the harness injects into a run it started itself:
/// `--chaos redis-kill-at=20s,redis-restart-at=40s` kills (SIGKILL, by pid) and restarts the
/// redis-server the harness launched, at those offsets from the start of measurement.
package struct ChaosPlan: Sendable, Equatable {
  package var redisKillAt: Duration?
  package var redisRestartAt: Duration?

  package init(redisKillAt: Duration? = nil, redisRestartAt: Duration? = nil) {
    self.redisKillAt = redisKillAt
    self.redisRestartAt = redisRestartAt
  }

  package static func parse(_ text: String) throws(LoadTestError) -> ChaosPlan {
    var plan = ChaosPlan()
    for part in text.split(separator: ",") {
      let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
      guard pair.count == 2, let at = LoadTestDuration.parse(pair[1]) else {
        throw LoadTestError("chaos step \"\(part)\" is not name=duration, e.g. redis-kill-at=20s")
      }
      switch pair[0] {
      case "redis-kill-at": plan.redisKillAt = at
      case "redis-restart-at": plan.redisRestartAt = at
      default: throw LoadTestError("unknown chaos step \"\(pair[0])\" (redis-kill-at, redis-restart-at)")
      }
    }
    if let kill = plan.redisKillAt, let restart = plan.redisRestartAt, restart <= kill {
      throw LoadTestError("redis-restart-at must come after redis-kill-at")
    }
    return plan
  }

  /// What the timeline says about a kill/restart: the first second after the kill with
  /// fallback answers, the first second after the restart with MODEL/CACHE answers again, and
  /// the failed requests in between.
  package func assess(_ timeline: [LoadRecorder.Second]) -> ChaosAssessment? {
    guard let kill = redisKillAt else { return nil }
    let killSecond = Int(kill.seconds)
    let fallbackSecond = timeline.first { $0.second >= killSecond && $0.fallback > 0 }?.second
    var recoverySecond: Int?
    if let restart = redisRestartAt {
      let restartSecond = Int(restart.seconds)
      recoverySecond = timeline.first { $0.second >= restartSecond && ($0.model + $0.cache) > 0 && $0.fallback * 10 < ($0.model + $0.cache) }?.second
      return ChaosAssessment(
        failedRequests: timeline.reduce(0) { $0 + $1.errors },
        secondsToFallback: fallbackSecond.map { $0 - killSecond },
        secondsToRecover: recoverySecond.map { $0 - restartSecond })
    }
    return ChaosAssessment(failedRequests: timeline.reduce(0) { $0 + $1.errors }, secondsToFallback: fallbackSecond.map { $0 - killSecond }, secondsToRecover: nil)
  }
}

/// How a fault scenario went, at one-second resolution.
package struct ChaosAssessment: Sendable, Codable, Equatable {
  package var failedRequests: Int
  /// Whole seconds from the kill to the first fallback answer; nil when none came.
  package var secondsToFallback: Int?
  /// Whole seconds from the restart until MODEL/CACHE answers dominate again.
  package var secondsToRecover: Int?
}
