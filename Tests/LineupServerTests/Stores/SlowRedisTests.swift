import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

@Suite("A slow Redis: the deadline budget at work")
struct SlowRedisTests {
  @Test("with Redis slower than the command budget, recommendations fall back within budget and recover when it is fast again")
  func slowRedis() async throws {
    let redis = try await RedisServerProcess.start()
    let proxy = try await DelayingTCPProxy.start(to: "127.0.0.1", port: redis.port)
    defer { Task { await proxy.close() } }
    let writer = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
    _ = try await writer.send(RedisCommand("ZADD", "lineup:cand:{u:slow}", "0.9", "it-00100"), deadline: .now + .seconds(2))
    await writer.close()

    var config = RunningLineup.testConfiguration()
    config.redis.url = RedisURL(endpoint: .tcp(host: "127.0.0.1", port: proxy.port))
    config.redis.commandTimeout = .milliseconds(30)
    try await withLineupClient(configuration: config) { client, application in
      let pool = try #require(application.redis)
      #expect(try await eventually { pool.isConnected })
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetRecommendationsRequest.with { $0.userID = "slow"; $0.context.country = "BR"; $0.limit = 5 }
      #expect(try await recommender.getRecommendations(request).provenance.source == .model)

      proxy.setDelay(.milliseconds(200))
      let clock = ContinuousClock()
      let started = clock.now
      let slow = try await recommender.getRecommendations(.with { $0.userID = "slow"; $0.context.country = "BR"; $0.limit = 6 })
      let elapsed = clock.now - started
      #expect(slow.provenance.source == .fallback)
      #expect(slow.provenance.fallbackReason == .storeUnavailable)
      #expect(slow.items.count == 6)
      // Bounded by the 30 ms budget, not by the 400 ms round trip (generous margin for CI).
      #expect(elapsed < .milliseconds(300))

      proxy.setDelay(.zero)
      // Late replies to timed-out commands drain; then the model answers again.
      var recovered = false
      for attempt in 0..<50 where !recovered {
        let answer = try await recommender.getRecommendations(.with { $0.userID = "slow"; $0.context.country = "BR"; $0.limit = Int32(10 + attempt) })
        recovered = answer.provenance.source == .model
        if !recovered { try await Task.sleep(for: .milliseconds(100)) }
      }
      #expect(recovered)
    }
  }
}
