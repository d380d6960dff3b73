import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

/// The user-state read in two parts against a real redis-server: a cache hit reads only the
/// cache entry and the newest seen items, never the model's candidates; a miss reads them in
/// its second round trip. The candidates are made unreadable (WRONGTYPE) after the cache is
/// warm, so Redis' own `failed_calls` shows whether a request read them.
@Suite("cache probe on Redis, end to end")
struct CacheProbeEndToEndTests {
  private static func breakCandidates(of user: String, on redis: RedisServerProcess) async throws {
    let writer = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
    _ = try await writer.send(RedisCommand("DEL", RedisKeys.candidates(user)), deadline: .now + .seconds(2))
    _ = try await writer.send(RedisCommand("SET", RedisKeys.candidates(user), "oops"), deadline: .now + .seconds(2))
    await writer.close()
  }

  /// A lineup-server on a fresh redis-server, with `user`'s model candidates written.
  private static func withLineup(
    candidatesFor user: String, step: Int,
    _ body: @Sendable (Lineup_V1_Recommender.Client<HTTP2ClientTransport.Posix>, LineupApplication, RedisServerProcess) async throws -> Void
  ) async throws {
    let redis = try await RedisServerProcess.start()
    var config = AdminServiceTests.configuration()
    config.redis.url = redis.url
    try await withLineupClient(configuration: config) { client, application in
      #expect(try await eventually { application.redis?.isConnected == true })
      try await AdminServiceTests.putCandidates(for: user, step: step, version: "m-probe", in: application)
      try await body(Lineup_V1_Recommender.Client(wrapping: client), application, redis)
    }
  }

  @Test("GetRecommendations: a hit sends one seen-items read and no candidate read; a miss still reads the candidates")
  func recommendations() async throws {
    try await Self.withLineup(candidatesFor: "hot", step: 7) { recommender, application, redis in
      func ask(limit: Int32) async throws -> Lineup_V1_GetRecommendationsResponse {
        try await recommender.getRecommendations(.with { $0.userID = "hot"; $0.context.country = "BR"; $0.limit = limit })
      }
      let first = try await ask(limit: 10)
      #expect(first.provenance.source == .model)
      #expect(try await eventually { application.writeBehind.completed >= 1 })
      #expect(try await ask(limit: 10).provenance.cacheHit)

      try await Self.breakCandidates(of: "hot", on: redis)
      let before = try await redis.commandStats("zrevrange")
      for _ in 1...5 {
        let hit = try await ask(limit: 10)
        #expect(hit.provenance.cacheHit)
        #expect(hit.items.map(\.itemID) == first.items.map(\.itemID))
      }
      let afterHits = try await redis.commandStats("zrevrange")
      #expect(afterHits.failed == before.failed, "a hit does not read the candidates")
      #expect(afterHits.calls - before.calls == 5, "one seen-items read per hit")

      // Another limit is another cache entry: the miss reads the (now broken) candidates.
      let miss = try await ask(limit: 9)
      #expect(!miss.provenance.cacheHit && miss.items.count == 9)
      #expect(miss.provenance.fallbackReason != .storeUnavailable, "the rest of the user's state was read")
      #expect(try await redis.commandStats("zrevrange").failed == afterHits.failed + 1)
    }
  }

  @Test("GetRecommendations for a cold user: the miss reads no more user state than the probe (no candidates, no second seen read)")
  func coldUserMiss() async throws {
    try await Self.withLineup(candidatesFor: "warm", step: 7) { recommender, _, redis in
      let zrevrange = try await redis.commandStats("zrevrange")
      let exists = try await redis.commandStats("exists")
      let cold = try await recommender.getRecommendations(.with { $0.userID = "cold"; $0.context.country = "BR"; $0.limit = 10 })
      #expect(!cold.provenance.cacheHit && cold.items.count == 10)
      #expect(try await redis.commandStats("exists").calls == exists.calls + 1, "the probe checked for candidates")
      // The probe's newest-seen read and the country's live popularity; nothing for the model.
      #expect(try await redis.commandStats("zrevrange").calls == zrevrange.calls + 2)

      // A warm user's miss still reads the candidates (no seen items: the probe has them all).
      let before = try await redis.commandStats("zrevrange")
      let warm = try await recommender.getRecommendations(.with { $0.userID = "warm"; $0.context.country = "BR"; $0.limit = 10 })
      #expect(warm.provenance.source == .model)
      #expect(try await redis.commandStats("zrevrange").calls == before.calls + 3)
    }
  }

  @Test("GetFeed: a retried page is a hit that does not read the candidates")
  func feed() async throws {
    try await Self.withLineup(candidatesFor: "reader", step: 11) { recommender, _, redis in
      func page() async throws -> Lineup_V1_GetFeedResponse {
        try await recommender.getFeed(.with { $0.userID = "reader"; $0.context.country = "BR"; $0.context.sessionID = "s-1"; $0.pageSize = 10 })
      }
      let first = try await page()
      #expect(first.provenance.source == .model && first.items.count == 10)

      try await Self.breakCandidates(of: "reader", on: redis)
      let before = try await redis.commandStats("zrevrange")
      let retried = try await page()
      #expect(retried.provenance.cacheHit)
      #expect(retried.items.map(\.itemID) == first.items.map(\.itemID))
      #expect(try await redis.commandStats("zrevrange").failed == before.failed, "a hit does not read the candidates")
    }
  }
}
