import Foundation
import GRPCCore
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

/// The candidate sources' own circuit breakers against a real redis-server: a source whose
/// data is broken trips its breaker, not `redis.read`, so every other source keeps serving;
/// while a source's breaker is open its reads are not sent and its items are left out.
@Suite("candidate-source breakers on Redis, end to end")
struct SourceBreakerEndToEndTests {
  /// Breakers that open after 4 calls with more than 20% failed (slowness ignored), and stay
  /// open for the test.
  private static func configuration(redis: RedisServerProcess) -> LineupConfiguration {
    var config = AdminServiceTests.configuration()
    config.redis.url = redis.url
    // Failures only: on a loaded machine slow calls would open redis.read too.
    config.control.breakers = BreakerSettings.forTests(window: 10, minimumCalls: 4, failureRate: 0.2, openSeconds: 600, slowCallSeconds: 30)
    return config
  }

  private static func write(_ commands: [RedisCommand], to redis: RedisServerProcess) async throws {
    let writer = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
    for command in commands { _ = try await writer.send(command, deadline: .now + .seconds(2)) }
    await writer.close()
  }

  private static func count(_ code: String, in response: Lineup_V1_GetRecommendationsResponse) -> Int {
    response.items.count { $0.reasons.contains { $0.code == code } }
  }

  @Test("candidate keys the model pipeline wrote wrong trip source.model, not redis.read; while it is open no user's slate has the model's items, and once it lets calls through they are back")
  func badModelCandidates() async throws {
    let redis = try await RedisServerProcess.start()
    try await withLineupClient(configuration: Self.configuration(redis: redis)) { client, application in
      #expect(try await eventually { application.redis?.isConnected == true })
      // A string where a sorted set belongs: ZREVRANGE answers WRONGTYPE.
      try await Self.write((1...6).map { RedisCommand("SET", RedisKeys.candidates("broken-\($0)"), "oops") }, to: redis)
      try await AdminServiceTests.putCandidates(for: "healthy", step: 13, version: "m-good", in: application)
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      func ask(_ user: String) async throws -> Lineup_V1_GetRecommendationsResponse {
        try await recommender.getRecommendations(.with { $0.userID = user; $0.context.country = "BR"; $0.limit = 8 })
      }
      let modelBreaker = try #require(application.control.breaker(BreakerCatalog.sourceModel))
      for index in 1...6 {
        let answer = try await ask("broken-\(index)")
        #expect(answer.items.count == 8)
        #expect(answer.provenance.fallbackReason != .storeUnavailable, "the rest of the user's state was read")
      }
      #expect(modelBreaker.snapshot.state == .open)
      #expect(application.control.breaker(BreakerCatalog.redisRead)?.snapshot.state == .closed)

      let withoutModel = try await ask("healthy")
      #expect(withoutModel.items.count == 8)
      #expect(Self.count("MODEL_SCORE", in: withoutModel) == 0, "source.model open: the candidates are not read")

      // An operator disables the breaker (forced closed): the model's items come back.
      _ = try await Lineup_V1_Admin.Client(wrapping: client).setBreakerOverride(
        .with { $0.name = "source.model"; $0.override = .disabled; $0.reason = "model push fixed" },
        metadata: AdminServiceTests.bearer(AdminServiceTests.adminSecret))
      let back = try await ask("healthy")
      #expect(Self.count("MODEL_SCORE", in: back) > 0)

      let page = try PrometheusText(application.metrics.exposition())
      #expect(page.value("lineup_breaker_transitions_total", ["breaker": "source.model", "from": "closed", "to": "open"]) ?? 0 >= 1)
    }
  }

  @Test("broken co-visitation counts trip source.covisitation, not redis.read, and the reads stop; a slate whose co-visitation read failed is served but not cached; a forced-open source.trending serves the files' popularity at once")
  func coVisitationAndTrending() async throws {
    let redis = try await RedisServerProcess.start()
    try await withLineupClient(configuration: Self.configuration(redis: redis)) { client, application in
      #expect(try await eventually { application.redis?.isConnected == true })
      let now = Int(Date().timeIntervalSince1970)
      // Users who saw it-00001 lately; its co-visitation counts are a string (WRONGTYPE).
      var setup = [RedisCommand("SET", RedisKeys.coVisits("it-00001"), "oops")]
      setup += (1...8).map { RedisCommand("ZADD", RedisKeys.recentlySeen("viewer-\($0)"), String(now), "it-00001") }
      setup.append(RedisCommand("ZADD", RedisKeys.countryPopularity(CountryCode("BR")!), "50", "it-00042", "10", "it-00007"))
      try await Self.write(setup, to: redis)
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      func ask(_ user: String) async throws -> Lineup_V1_GetRecommendationsResponse {
        try await recommender.getRecommendations(.with { $0.userID = user; $0.context.country = "BR"; $0.limit = 8 })
      }
      let coVisitation = try #require(application.control.breaker(BreakerCatalog.sourceCoVisitation))
      try await AdminServiceTests.putCandidates(for: "viewer-1", step: 13, version: "m-good", in: application)
      for index in 1...5 {
        let answer = try await ask("viewer-\(index)")
        #expect(answer.items.count == 8)
        if index == 1 {
          #expect(answer.provenance.source == .model, "viewer-1 has model candidates")
        } else {
          #expect(answer.provenance.fallbackLevel == .countryLive, "live popularity still read")
        }
      }
      #expect(coVisitation.snapshot.state == .open)
      #expect(application.control.breaker(BreakerCatalog.redisRead)?.snapshot.state == .closed)
      // Open: the co-visitation read is not sent any more. Redis counts the failed ZREVRANGEs,
      // and only that read fails.
      let failedBefore = try await redis.commandStats("zrevrange").failed
      #expect(failedBefore >= 4)
      let served = try await ask("viewer-6")
      #expect(served.items.count == 8)
      #expect(try await redis.commandStats("zrevrange").failed == failedBefore, "no co-visitation read while source.covisitation is open")

      // viewer-1's first slate (MODEL, its co-visitation read failed) was not cached; the one
      // built without co-visitation now, the breaker open, is whole and is.
      #expect(application.writeBehind.completed == 0)
      #expect(try await ask("viewer-1").provenance.source == .model)
      #expect(try await eventually { application.writeBehind.completed >= 1 })
      try await Task.sleep(for: .milliseconds(200))
      #expect(application.writeBehind.completed == 1)
      #expect(try await ask("viewer-1").provenance.cacheHit)

      _ = try await Lineup_V1_Admin.Client(wrapping: client).setBreakerOverride(
        .with { $0.name = "source.trending"; $0.override = .forcedOpen; $0.reason = "drill" },
        metadata: AdminServiceTests.bearer(AdminServiceTests.adminSecret))
      let files = try await ask("viewer-7")
      #expect(files.items.count == 8)
      #expect(files.provenance.fallbackLevel == .countryFile)
      let trending = try await recommender.getTrending(.with { $0.context.country = "BR"; $0.limit = 5 })
      #expect(trending.provenance.fallbackLevel == .countryFile)
    }
  }
}
