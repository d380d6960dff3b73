import Foundation
import GRPCCore
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

/// Events as apps send them.
func interaction(_ id: String, user: String = "u1", item: String, type: Lineup_V1_InteractionType = .like, country: String = "BR") -> Lineup_V1_InteractionEvent {
  .with {
    $0.eventID = id
    $0.userID = user
    $0.itemID = item
    $0.type = type
    $0.timestamp = Google_Protobuf_Timestamp(date: Date())
    $0.context.country = country
  }
}

@Suite("Ingestion end to end: RecordInteractions and UpsertItems (real HTTP/2 socket)")
struct IngestionServiceTests {
  @Test("events are counted once, rejected by field, and move the country's live popularity")
  func recordInteractions() async throws {
    try await withLineupClient { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let batch = Lineup_V1_RecordInteractionsRequest.with {
        $0.events = [
          interaction("e1", item: "it-04999"), interaction("e2", user: "u2", item: "it-04999"),
          .with { $0.eventID = "bad"; $0.userID = "u1"; $0.itemID = "it-1"; $0.type = .view; $0.watchSeconds = -2 },
          interaction("e1", item: "it-04999"),
        ]
      }
      let first = try await recommender.recordInteractions(batch)
      #expect(first.accepted == 2)
      #expect(first.duplicates == 1)
      #expect(Set(first.rejections.map(\.field)) == ["events[2].timestamp", "events[2].watch_seconds"])
      #expect(first.rejections.allSatisfy { $0.index == 2 && $0.eventID == "bad" && !$0.reason.isEmpty })

      let retry = try await recommender.recordInteractions(batch)
      #expect(retry.accepted == 0)
      #expect(retry.duplicates == 3)

      // The least popular demo item now leads Brazil's live rung.
      let trending = try await recommender.getTrending(.with { $0.context.country = "BR"; $0.limit = 3 })
      #expect(trending.items.first?.itemID == "it-04999")
      #expect(trending.provenance.fallbackLevel == .countryLive)
    }
  }

  @Test("an empty batch is INVALID_ARGUMENT naming the field")
  func emptyBatch() async throws {
    try await withLineupClient { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      await #expect { try await recommender.recordInteractions(.init()) } throws: { error in
        (error as? RPCError)?.code == .invalidArgument && (error as? RPCError)?.message.contains("events") == true
      }
      await #expect { try await recommender.upsertItems(.init()) } throws: { error in
        (error as? RPCError)?.code == .invalidArgument && (error as? RPCError)?.message.contains("items") == true
      }
    }
  }

  @Test("upserted items are validated, versioned, served at once, and an unavailable item is hidden")
  func upsertItems() async throws {
    try await withLineupClient { client, application in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let now = Google_Protobuf_Timestamp(date: Date())
      let response = try await recommender.upsertItems(.with {
        $0.items = [
          .with { $0.itemID = "fresh-1"; $0.creatorID = "cr-new"; $0.category = "music"; $0.createdAt = now; $0.available = true },
          .with { $0.itemID = "it-00001"; $0.creatorID = "cr-x"; $0.category = "music"; $0.createdAt = now; $0.available = false },
          .with { $0.itemID = "broken"; $0.creatorID = ""; $0.category = "music"; $0.createdAt = now; $0.available = true },
        ]
      })
      #expect(response.upserted == 2)
      #expect(response.catalogVersion == "1")
      #expect(response.rejections.map(\.field) == ["items[2].creator_id"])
      #expect(application.catalog.item("fresh-1")?.isNewCreator == true)

      _ = try await recommender.recordInteractions(.with { $0.events = [interaction("e1", item: "fresh-1"), interaction("e2", item: "it-00001")] })
      let trending = try await recommender.getTrending(.with { $0.context.country = "BR"; $0.limit = 20 })
      #expect(trending.items.first?.itemID == "fresh-1")
      #expect(trending.items.first?.newCreator == true)
      #expect(!trending.items.contains { $0.itemID == "it-00001" })
    }
  }
}

@Suite("Ingestion on Redis: durability, replicas, model slates")
struct RedisIngestionTests {
  @Test("with Redis down RecordInteractions is UNAVAILABLE, and the retry after it returns is accepted once")
  func unavailable() async throws {
    let redis = try await RedisServerProcess.start()
    var config = RunningLineup.testConfiguration()
    config.redis.url = redis.url
    try await withLineupClient(configuration: config) { client, application in
      let pool = try #require(application.redis)
      #expect(try await eventually { pool.isConnected })
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let batch = Lineup_V1_RecordInteractionsRequest.with { $0.events = [interaction("e1", item: "it-00007")] }
      redis.kill()
      #expect(try await eventually { !pool.isConnected })
      await #expect { try await recommender.recordInteractions(batch) } throws: { error in
        (error as? RPCError)?.code == .unavailable
      }
      try await redis.restart()
      #expect(try await eventually { pool.isConnected })
      let accepted = try await recommender.recordInteractions(batch)
      #expect(accepted.accepted == 1)
      #expect(try await recommender.recordInteractions(batch).duplicates == 1)
      // The event reached the stream offline pipelines read.
      let events = try await application.store.latestEvents(limit: 5, deadline: .now + .seconds(2))
      #expect(events.map(\.eventID) == ["e1"])
    }
  }

  @Test("candidates the model pipeline writes with native commands are served as MODEL, then from the cache")
  func modelThenCache() async throws {
    let redis = try await RedisServerProcess.start()
    let writer = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
    // Exactly what docs/redis-keys.md tells a pipeline author to run.
    _ = try await writer.send(RedisCommand("ZADD", "lineup:cand:{u:u42}", "0.9", "it-00100", "0.7", "it-00200", "0.5", "it-00300"), deadline: .now + .seconds(2))
    _ = try await writer.send(RedisCommand("HSET", "lineup:cand:{u:u42}:meta", "model_version", "two-tower-2026-11-20"), deadline: .now + .seconds(2))
    var config = RunningLineup.testConfiguration()
    config.redis.url = redis.url
    try await withLineupClient(configuration: config) { client, application in
      let pool = try #require(application.redis)
      #expect(try await eventually { pool.isConnected })
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetRecommendationsRequest.with { $0.userID = "u42"; $0.context.country = "BR"; $0.limit = 10 }
      let first = try await recommender.getRecommendations(request)
      #expect(first.provenance.source == .model)
      #expect(first.provenance.modelVersion == "two-tower-2026-11-20")
      // The model's candidates lead, in its order; trending and new creators fill the rest.
      #expect(first.items.prefix(3).map(\.itemID) == ["it-00100", "it-00200", "it-00300"])
      #expect(first.items.prefix(3).allSatisfy { $0.reasons.first?.code == "MODEL_SCORE" })
      #expect(first.items.count == 10)
      // The cache fill is written behind the answer.
      #expect(try await eventually { application.writeBehind.completed >= 1 })
      let keys = try await writer.send(RedisCommand("KEYS", "lineup:resp:{u:u42}:recs:*"), deadline: .now + .seconds(2))
      #expect(keys.array?.count == 1)
      let ttl = try await writer.send(RedisCommand("TTL", keys.array?.first?.string ?? ""), deadline: .now + .seconds(2))
      #expect((270...330).contains(ttl.integer ?? 0))
      let second = try await recommender.getRecommendations(request)
      #expect(second.provenance.source == .cache)
      #expect(second.provenance.cacheHit)
      #expect(second.items.map(\.itemID) == first.items.map(\.itemID))
      #expect(second.provenance.requestID != first.provenance.requestID)
    }
    await writer.close()
  }

  @Test("an item upserted through one replica is served by another within its refresh interval")
  func catalogReachesReplicas() async throws {
    let redis = try await RedisServerProcess.start()
    var config = RunningLineup.testConfiguration()
    config.redis.url = redis.url
    config.catalog.refreshInterval = .milliseconds(100)
    let shared = config
    try await withLineupClient(configuration: shared) { clientA, _ in
      try await withLineupClient(configuration: shared) { _, replicaB in
        let recommender = Lineup_V1_Recommender.Client(wrapping: clientA)
        #expect(replicaB.catalog.item("only-in-redis") == nil)
        let upserted = try await recommender.upsertItems(.with {
          $0.items = [.with {
            $0.itemID = "only-in-redis"; $0.creatorID = "cr-1"; $0.category = "gaming"
            $0.createdAt = Google_Protobuf_Timestamp(date: Date()); $0.available = true
          }]
        })
        #expect(upserted.upserted == 1)
        #expect(try await eventually(timeout: .seconds(3)) { replicaB.catalog.item("only-in-redis")?.category == "gaming" })
      }
    }
  }
}
