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

  /// What the timeline says about a kill/restart: the first second after the kill in which
  /// fallback answers are the majority, the first second after the restart in which MODEL/CACHE
  /// answers outnumber fallback ten to one again, and the failed requests of the whole run.
  /// "Majority", not "any": a population with cold users gets a few fallback answers every
  /// second, and those must not count as the failover working.
  package func assess(_ timeline: [LoadRecorder.Second]) -> ChaosAssessment? {
    guard let kill = redisKillAt else { return nil }
    let killSecond = Int(kill.seconds)
    let fallbackSecond = timeline.first { $0.second >= killSecond && $0.fallback * 2 > $0.requests }?.second
    let restartSecond = redisRestartAt.map { Int($0.seconds) }
    let recoverySecond = restartSecond.flatMap { restart in
      timeline.first { $0.second >= restart && ($0.model + $0.cache) > 0 && $0.fallback * 10 < ($0.model + $0.cache) }?.second
    }
    return ChaosAssessment(
      failedRequests: timeline.reduce(0) { $0 + $1.errors },
      secondsToFallback: fallbackSecond.map { $0 - killSecond },
      secondsToRecover: recoverySecond.flatMap { second in restartSecond.map { second - $0 } })
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
