import Foundation
import GRPCCore
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

@Suite("lineup-server on a 3-master Redis Cluster")
struct RedisClusterEndToEndTests {
  @Test("--redis-cluster: ingestion, catalog, model slates and cache hits across nodes")
  func cluster() async throws {
    let cluster = try await RedisClusterProcess.start(masters: 3)
    var config = RunningLineup.testConfiguration()
    config.redis.clusterSeeds = [cluster.seedURLs[0]]
    try await withLineupClient(configuration: config) { client, application in
      let redis = try #require(application.redis)
      #expect(try await eventually(timeout: .seconds(10)) { redis.isConnected })
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)

      // Events of many users spread their markers over every node; popularity lives on BR's.
      let events = (0..<60).map { interaction("e\($0)", user: "user-\($0)", item: "it-04998") }
      let recorded = try await recommender.recordInteractions(.with { $0.events = events })
      #expect(recorded.accepted == 60)
      #expect(try await recommender.recordInteractions(.with { $0.events = events }).duplicates == 60)
      let trending = try await recommender.getTrending(.with { $0.context.country = "BR"; $0.limit = 10 })
      #expect(trending.items.first?.itemID == "it-04998")

      let upserted = try await recommender.upsertItems(.with {
        $0.items = [.with { $0.itemID = "clustered"; $0.creatorID = "cr-c"; $0.category = "music"; $0.createdAt = Google_Protobuf_Timestamp(date: Date()); $0.available = true }]
      })
      #expect(upserted.upserted == 1)

      // The model pipeline's keys for one user share its hash tag: one node, one round trip.
      #expect(RedisClusterSlot.slot(for: RedisKeys.candidates("u7")) == RedisClusterSlot.slot(for: RedisKeys.cachedRecommendations("u7", fingerprint: "x")))
      try await application.store.putCandidates(
        ModelCandidates(modelVersion: "m-cluster", items: [PopularityEntry(itemID: "clustered", score: 1), PopularityEntry(itemID: "it-00001", score: 0.5)]),
        for: "u7", ttlSeconds: 600, deadline: .now + .seconds(2))
      let request = Lineup_V1_GetRecommendationsRequest.with { $0.userID = "u7"; $0.context.country = "BR"; $0.limit = 2 }
      let first = try await recommender.getRecommendations(request)
      #expect(first.provenance.source == .model)
      #expect(first.items.map(\.itemID) == ["clustered", "it-00001"])
      #expect(try await eventually { application.writeBehind.completed >= 1 })
      let second = try await recommender.getRecommendations(request)
      #expect(second.provenance.source == .cache)
    }
  }
}
