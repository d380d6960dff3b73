import GRPCCore
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

/// The `redis.read` breaker through a whole outage of a real redis-server: closed while Redis
/// answers, open once enough reads failed (fallbacks at once, Redis not waited on), half-open
/// after the wait, closed again after successful trials — every answer served, and each
/// transition on the metrics page.
@Suite("redis.read breaker through a Redis outage, end to end")
struct RedisBreakerEndToEndTests {
  @Test("closed → open on failed reads → half-open after the wait → closed on successful trials; no RPC fails")
  func outageCycle() async throws {
    let redis = try await RedisServerProcess.start()
    var config = RunningLineup.testConfiguration()
    config.redis.url = redis.url
    config.redis.commandTimeout = .milliseconds(300)
    config.control.breakers = BreakerSettings.forTests(window: 10, minimumCalls: 4, failureRate: 0.2, openSeconds: 1, trials: 2)
    try await withLineupClient(configuration: config) { client, application in
      let redisClient = try #require(application.redis)
      let breaker = try #require(application.control.breaker(BreakerCatalog.redisRead))
      #expect(try await eventually { redisClient.isConnected })
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetRecommendationsRequest.with { $0.userID = "u1"; $0.context.country = "BR"; $0.limit = 5 }
      // A different user each time past the first: no answer comes from the response cache.
      var calls = 0
      func ask() async throws -> Lineup_V1_GetRecommendationsResponse {
        calls += 1
        var each = request
        each.userID = "u\(calls)"
        let response = try await recommender.getRecommendations(each)
        #expect(response.items.count == 5, "every answer is served, whatever the breaker")
        return response
      }
      for _ in 0..<3 { #expect(try await ask().provenance.fallbackReason != .storeUnavailable) }
      #expect(breaker.snapshot.state == .closed)

      redis.kill()
      var sawStoreFailure = false
      for _ in 0..<20 where breaker.snapshot.state == .closed {
        if try await ask().provenance.fallbackReason == .storeUnavailable { sawStoreFailure = true }
      }
      #expect(sawStoreFailure)
      #expect(breaker.snapshot.state == .open)
      let refused = try await ask()
      #expect(refused.provenance.fallbackReason == .breakerOpen, "open: the baseline at once, Redis not asked")

      try await redis.restart()
      #expect(try await eventually { redisClient.isConnected })
      // Past the 1 s wait the next calls are trials; two successes close it. A trial that
      // meets a Redis still starting reopens it for another second: keep asking, bounded.
      try await Task.sleep(for: .milliseconds(1_100))
      var reasons: [Lineup_V1_FallbackReason] = []
      let giveUp = ContinuousClock.now + .seconds(15)
      while breaker.snapshot.state != .closed && ContinuousClock.now < giveUp {
        reasons.append(try await ask().provenance.fallbackReason)
        if breaker.snapshot.state == .open { try await Task.sleep(for: .milliseconds(200)) }
      }
      #expect(breaker.snapshot.state == .closed, "after trials: \(reasons)")
      #expect(try await ask().provenance.fallbackReason != .breakerOpen)

      let page = try PrometheusText(application.metrics.exposition())
      for (from, to) in [("closed", "open"), ("open", "half_open"), ("half_open", "closed")] {
        #expect(page.value("lineup_breaker_transitions_total", ["breaker": "redis.read", "from": from, "to": to]) ?? 0 >= 1, "\(from) → \(to)")
      }
      #expect(page.sum("lineup_fallback_total", ["rpc": "GetRecommendations", "reason": "breaker_open"]) >= 1)
    }
  }
}
