import GRPCCore
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

@Suite("lineup-server on Redis: the live rung, and answers with Redis gone")
struct RedisFallbackEndToEndTests {
  @Test("live country popularity from Redis leads the slate; with Redis killed the files answer")
  func liveRungAndOutage() async throws {
    let redis = try await RedisServerProcess.start()
    // The pipeline writes popularity with native commands, as docs/redis-keys.md shows.
    let writer = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
    let key = RedisKeys.countryPopularity(CountryCode("BR")!)
    _ = try await writer.send(RedisCommand("ZADD", key, "50", "it-00042", "10", "it-00007", "99", "not-in-catalog"), deadline: .now + .seconds(2))
    await writer.close()

    var config = RunningLineup.testConfiguration()
    config.redis.url = redis.url
    try await withLineupClient(configuration: config) { client, application in
      let redisClient = try #require(application.redis)
      #expect(try await eventually { redisClient.isConnected })

      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetRecommendationsRequest.with {
        $0.userID = "u1"
        $0.context.country = "BR"
        $0.limit = 5
      }
      let live = try await recommender.getRecommendations(request)
      #expect(live.items.prefix(2).map(\.itemID) == ["it-00042", "it-00007"])
      #expect(live.items.count == 5)
      #expect(live.provenance.fallbackLevel == .countryLive)

      redis.kill()
      let outage = try await recommender.getRecommendations(request)
      #expect(outage.items.count == 5)
      #expect(outage.provenance.fallbackLevel == .countryFile)
    }
  }

  @Test("the server starts and answers with Redis absent, then picks Redis up when it appears")
  func startsWithoutRedis() async throws {
    // Reserve a port with a real server, then stop it: the server starts against a dead port.
    let redis = try await RedisServerProcess.start()
    redis.stop()
    var config = RunningLineup.testConfiguration()
    config.redis.url = redis.url
    try await withLineupClient(configuration: config) { client, application in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetRecommendationsRequest.with {
        $0.userID = "u1"
        $0.context.country = "JP"
        $0.limit = 3
      }
      let response = try await recommender.getRecommendations(request)
      #expect(response.items.count == 3)
      #expect(response.provenance.fallbackLevel == .countryFile)

      try await redis.restart()
      let writer = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
      _ = try await writer.send(
        RedisCommand("ZADD", RedisKeys.countryPopularity(CountryCode("JP")!), "70", "it-00321"), deadline: .now + .seconds(2))
      await writer.close()
      let redisClient = try #require(application.redis)
      // Reconnect backoff tops out at 2 s.
      #expect(try await eventually(timeout: .seconds(10)) { redisClient.isConnected })
      let live = try await recommender.getRecommendations(request)
      #expect(live.provenance.fallbackLevel == .countryLive)
      #expect(live.items.first?.itemID == "it-00321")
    }
  }
}
