import GRPCCore
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
    config.redis.commandTimeout = .milliseconds(150)
    try await withLineupClient(configuration: config) { client, application in
      let pool = try #require(application.redis)
      #expect(try await eventually { pool.isConnected })
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      #expect(try await Self.modelAnswers(recommender, firstLimit: 30))

      proxy.setDelay(.seconds(1))
      let clock = ContinuousClock()
      let started = clock.now
      let slow = try await recommender.getRecommendations(.with { $0.userID = "slow"; $0.context.country = "BR"; $0.limit = 6 })
      let elapsed = clock.now - started
      #expect(slow.provenance.source == .fallback)
      #expect(slow.provenance.fallbackReason == .storeUnavailable)
      #expect(slow.items.count == 6)
      // Bounded by the 150 ms budget, not by the 2 s round trip (generous margin for CI).
      #expect(elapsed < .milliseconds(1_000))

      proxy.setDelay(.zero)
      // Late replies to timed-out commands drain; then the model answers again.
      #expect(try await Self.modelAnswers(recommender, firstLimit: 50))
    }
  }

  @Test("the caller's gRPC deadline, not the longer command budget, bounds the Redis read: a fallback answer, not DEADLINE_EXCEEDED")
  func callerDeadlineBoundsRedis() async throws {
    let redis = try await RedisServerProcess.start()
    let proxy = try await DelayingTCPProxy.start(to: "127.0.0.1", port: redis.port)
    defer { Task { await proxy.close() } }

    var config = RunningLineup.testConfiguration()
    config.redis.url = RedisURL(endpoint: .tcp(host: "127.0.0.1", port: proxy.port))
    // A command budget far longer than the caller's deadline: only the deadline can stop the
    // read in time. The margin leaves a debug build on a loaded machine room to answer.
    config.redis.commandTimeout = .seconds(10)
    config.redis.deadlineMargin = .seconds(1)
    try await withLineupClient(configuration: config) { client, application in
      let pool = try #require(application.redis)
      #expect(try await eventually { pool.isConnected })
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      proxy.setDelay(.seconds(5))

      var options = CallOptions.defaults
      options.timeout = .seconds(2)
      let answer = try await recommender.getRecommendations(
        .with { $0.userID = "hurried"; $0.context.country = "BR"; $0.limit = 4 }, options: options)
      // Had the reads waited for the 10 s budget (or the 10 s round trip), the call would have
      // failed with DEADLINE_EXCEEDED at 2 s instead of answering.
      #expect(answer.provenance.source == .fallback)
      #expect(answer.items.count == 4)
      proxy.setDelay(.zero)
    }
  }

  /// Asks (each time with a new slate size, so never from the cache) until the model
  /// answers, for at most 5 s; a loaded machine may need a few tries.
  static func modelAnswers(_ recommender: Lineup_V1_Recommender.Client<some ClientTransport>, firstLimit: Int) async throws -> Bool {
    for attempt in 0..<50 {
      let answer = try await recommender.getRecommendations(.with {
        $0.userID = "slow"; $0.context.country = "BR"; $0.limit = Int32(firstLimit + attempt)
      })
      if answer.provenance.source == .model { return true }
      try await Task.sleep(for: .milliseconds(100))
    }
    return false
  }
}
