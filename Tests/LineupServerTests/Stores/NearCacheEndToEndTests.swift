import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

/// Two replicas on one real redis-server, each with a near cache whose lifetime (a minute)
/// outlasts the test, so only an erasure can take an entry out: a hit read from Redis is
/// served again with no Redis read, and DeleteUserData through one replica stops both from
/// serving the user's copy — the one that erased at once, the other on the announcement.
@Suite("near cache on Redis, two replicas, end to end")
struct NearCacheEndToEndTests {
  private static func configuration(redis: RedisServerProcess) -> LineupConfiguration {
    var config = AdminServiceTests.configuration()
    config.redis.url = redis.url
    config.redis.nearCache.entries = 100
    config.redis.nearCache.lifetime = .seconds(60)
    return config
  }

  private static func ask(_ client: GRPCClient<HTTP2ClientTransport.Posix>, _ user: String) async throws -> Lineup_V1_GetRecommendationsResponse {
    try await Lineup_V1_Recommender.Client(wrapping: client).getRecommendations(
      .with { $0.userID = user; $0.context.country = "BR"; $0.limit = 10 })
  }

  @Test("a Redis hit is served again from memory; an erasure through either replica is obeyed by both")
  func hitsAndErasure() async throws {
    let redis = try await RedisServerProcess.start()
    let config = Self.configuration(redis: redis)
    try await withLineupClient(configuration: config) { eraser, first in
      try await withLineupClient(configuration: config) { other, second in
        #expect(try await eventually { first.redis?.isConnected == true && second.redis?.isConnected == true })
        // Both subscribed before anything is cached: a replica's first subscription empties
        // its near cache, which would otherwise race the hits counted below.
        #expect(try await eventually { try await redis.subscribers(of: RedisKeys.controlChanges) == 2 })
        for user in ["gone", "kept"] {
          try await AdminServiceTests.putCandidates(for: user, step: 3, version: "m-near", in: first)
        }
        let computed = try await Self.ask(eraser, "gone")
        #expect(computed.provenance.source == .model)
        _ = try await Self.ask(eraser, "kept")
        #expect(try await eventually { first.writeBehind.completed >= 2 })

        // Each replica reads the shared entry once; from then on it answers from memory. (A
        // hit's probe reads the newest seen items with ZREVRANGE; nothing in the background
        // does, while GET is also the catalog version's poll.)
        for client in [eraser, other] {
          for user in ["gone", "kept"] { #expect(try await Self.ask(client, user).provenance.cacheHit) }
        }
        let gets = try await redis.commandStats("zrevrange")
        for client in [eraser, other] {
          for _ in 1...3 {
            let copy = try await Self.ask(client, "gone")
            #expect(copy.provenance.cacheHit && copy.items.map(\.itemID) == computed.items.map(\.itemID))
          }
        }
        #expect(try await redis.commandStats("zrevrange").calls == gets.calls, "near hits send nothing to Redis")
        #expect(second.nearCache?.counts.hits ?? 0 >= 3)

        let admin = Lineup_V1_Admin.Client(wrapping: eraser)
        _ = try await admin.deleteUserData(
          .with { $0.userID = "gone"; $0.reason = "GDPR request 8" }, metadata: AdminServiceTests.bearer(AdminServiceTests.adminSecret))
        // The replica that erased answers without the user's data at once.
        let erasedHere = try await Self.ask(eraser, "gone")
        #expect(!erasedHere.provenance.cacheHit && erasedHere.provenance.fallbackReason == .noCandidates)
        // The other hears of it on the control channel (its copy would otherwise live a minute).
        #expect(try await eventually { try await Self.ask(other, "gone").provenance.fallbackReason == .noCandidates })
        // Another user's copy stays where it was.
        let keptGets = try await redis.commandStats("zrevrange")
        #expect(try await Self.ask(other, "kept").provenance.cacheHit)
        #expect(try await redis.commandStats("zrevrange").calls == keptGets.calls)
      }
    }
  }
}
