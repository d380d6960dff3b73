import Foundation
import GRPCCore
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import Logging
import SwiftProtobuf
import ServiceLifecycle
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The metrics a server records for real RPCs over a real socket, read back from its
/// Prometheus text exposition; and `/metrics` served on the metrics port.
@Suite("Metrics end to end")
struct MetricsEndToEndTests {
  @Test("every RPC is timed by method and status; answers by source; cache hits, flags and guardrails agree with what clients were told")
  func requestPath() async throws {
    try await withLineupClient { client, application in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      _ = try await recommender.recordInteractions(
        .with {
          $0.events = ["it-00001", "it-00002", "it-00003"].enumerated().map { index, item in
            .with {
              $0.eventID = "e\(index)"; $0.userID = "u1"; $0.itemID = item; $0.type = .view; $0.context.country = "BR"
              $0.timestamp = Google_Protobuf_Timestamp(date: Date())
            }
          }
        })
      var provenances: [Lineup_V1_Provenance] = []
      for user in ["u1", "u1", "cold"] {
        let response = try await recommender.getRecommendations(
          .with { $0.userID = user; $0.context.country = "BR"; $0.limit = 10 })
        provenances.append(response.provenance)
        // Let the cache fill of the first answer land before the second asks.
        if provenances.count == 1 { #expect(try await eventually { application.writeBehind.completed >= 1 }) }
      }
      await #expect(throws: RPCError.self) {
        _ = try await recommender.getRecommendations(.with { $0.userID = ""; $0.limit = 10 })
      }

      let page = try PrometheusText(application.metrics.exposition())
      let recs = ["service": "lineup.v1.Recommender", "method": "GetRecommendations"]
      #expect(page.value("lineup_rpc_duration_seconds_count", recs.merging(["code": "OK"]) { $1 }) == 3)
      #expect(page.value("lineup_rpc_duration_seconds_count", recs.merging(["code": "INVALID_ARGUMENT"]) { $1 }) == 1)
      #expect(page.value("lineup_rpc_duration_seconds_count", ["method": "RecordInteractions", "code": "OK"]) == 1)
      // Buckets are cumulative and end at +Inf with the count.
      #expect(page.value("lineup_rpc_duration_seconds_bucket", recs.merging(["code": "OK", "le": "+Inf"]) { $1 }) == 3)
      #expect(page.value("lineup_rpc_duration_seconds_bucket", recs.merging(["code": "OK", "le": "0.0001"]) { $1 }) != nil)
      #expect(page.value("lineup_ingested_events_total", ["result": "accepted"]) == 3)

      let hits = provenances.filter(\.cacheHit).count
      let misses = provenances.filter { !$0.cacheHit && ($0.source == .model || $0.fallbackReason == .noCandidates) }.count
      #expect(hits >= 1, "the repeated request should be a cache hit")
      #expect(page.value("lineup_cache_requests_total", ["rpc": "GetRecommendations", "result": "hit"]) == Double(hits))
      #expect(page.value("lineup_cache_requests_total", ["rpc": "GetRecommendations", "result": "miss"]) ?? 0 == Double(misses))
      for (source, wire) in [("model", Lineup_V1_Source.model), ("cache", .cache), ("fallback", .fallback)] {
        #expect(
          page.value("lineup_responses_total", ["rpc": "GetRecommendations", "source": source]) ?? 0
            == Double(provenances.filter { $0.source == wire }.count), "source \(source)")
      }
      #expect(page.sum("lineup_flag_evaluations_total", ["flag": "recs", "result": "on"]) == 3)
      for guardrail in ["new_creator_floor", "category_spread", "creator_cap"] {
        let told = provenances.flatMap(\.guardrails).filter { $0.name == guardrail }.reduce(0) { $0 + Int($1.adjustments) }
        #expect(page.value("lineup_guardrail_adjustments_total", ["guardrail": guardrail]) ?? 0 == Double(told), "\(guardrail)")
      }
    }
  }

  @Test("a price held at its floor counts one never-loss clamp; the same quote from the cache does not count again")
  func floorClamps() async throws {
    try await withLineupClient { client, application in
      // Floor = 1,700 × 1.15 = 1,955; the price-sensitive segment's 20% off 1,999 would be 1,600.
      try await application.store.putPricingPolicy(
        PricingPolicy(productID: "coins-100", currency: "BRL", basePriceMinor: 1_999, costMinor: 1_700, minMarginBps: 1_500, maxDiscountBps: 2_000),
        deadline: .now + .seconds(2))
      try await application.store.putUserFeatures(["segment": "price_sensitive"], for: "buyer", ttlSeconds: 60, deadline: .now + .seconds(2))
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetPriceRequest.with { $0.userID = "buyer"; $0.productID = "coins-100"; $0.context.country = "BR" }
      let first = try await recommender.getPrice(request)
      #expect(first.price.minorUnits == 1_955)
      #expect(try await eventually { application.writeBehind.completed >= 1 })
      let second = try await recommender.getPrice(request)
      #expect(second.provenance.cacheHit && second.price.minorUnits == 1_955)

      let page = try PrometheusText(application.metrics.exposition())
      #expect(page.value("lineup_price_floor_clamps_total", [:]) == 1)
      #expect(page.value("lineup_cache_requests_total", ["rpc": "GetPrice", "result": "hit"]) == 1)
      #expect(page.value("lineup_cache_requests_total", ["rpc": "GetPrice", "result": "miss"]) == 1)
    }
  }

  @Test("rate-limited requests are counted by scope, and timed as RESOURCE_EXHAUSTED")
  func rateLimits() async throws {
    var config = RunningLineup.testConfiguration()
    config.control.rateLimits.perUserPerMinute = 2
    try await withLineupClient(configuration: config) { client, application in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      var refused = 0
      for _ in 0..<5 {
        do {
          _ = try await recommender.getRecommendations(.with { $0.userID = "busy"; $0.context.country = "BR"; $0.limit = 5 })
        } catch let error as RPCError where error.code == .resourceExhausted {
          refused += 1
        }
      }
      #expect(refused >= 3)
      let page = try PrometheusText(application.metrics.exposition())
      #expect(page.value("lineup_rate_limited_total", ["scope": "user"]) == Double(refused))
      #expect(page.value("lineup_rpc_duration_seconds_count", ["method": "GetRecommendations", "code": "RESOURCE_EXHAUSTED"]) == Double(refused))
    }
  }

  @Test("Redis commands are timed by name; with Redis gone their errors are counted by code")
  func redisCommands() async throws {
    let redis = try await RedisServerProcess.start()
    var config = RunningLineup.testConfiguration()
    config.redis.url = redis.url
    config.redis.commandTimeout = .milliseconds(300)
    try await withLineupClient(configuration: config) { client, application in
      let redisClient = try #require(application.redis)
      #expect(try await eventually { redisClient.isConnected })
      // Background readers that ran before the first connection was up failed as
      // `unavailable`; from here on, with Redis up, nothing may fail.
      let errorsBefore = try PrometheusText(application.metrics.exposition()).sum("lineup_redis_errors_total", [:])
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetRecommendationsRequest.with { $0.userID = "u1"; $0.context.country = "BR"; $0.limit = 5 }
      _ = try await recommender.getRecommendations(request)
      var page = try PrometheusText(application.metrics.exposition())
      #expect((page.value("lineup_redis_command_duration_seconds_count", ["command": "PIPELINE"]) ?? 0) >= 1)
      #expect(page.sum("lineup_redis_errors_total", [:]) == errorsBefore)

      redis.kill()
      let outage = try await recommender.getRecommendations(request)
      #expect(outage.provenance.source == .fallback)
      page = try PrometheusText(application.metrics.exposition())
      #expect(page.sum("lineup_redis_errors_total", [:]) > errorsBefore)
      // By RedisError code: a dead server is refused, closed or unreachable, never "reply".
      let codes = Set(page.samples.filter { $0.name == "lineup_redis_errors_total" }.compactMap { $0.labels["code"] })
      #expect(!codes.isEmpty && codes.isSubset(of: ["unavailable", "connectionClosed", "connectionFailed", "timeout"]), "\(codes)")
      #expect(page.sum("lineup_fallback_total", ["rpc": "GetRecommendations"]) >= 1)
    }
  }

  @Test("/metrics on the metrics port: Prometheus text with breaker states as they are at the scrape, overrides included, and their transitions")
  func metricsPage() async throws {
    let application = LineupApplication(configuration: RunningLineup.testConfiguration(), logger: Logger(label: "test"))
    try await ListeningServiceHarness.with(
      logger: Logger(label: "test"),
      service: { application.makeProbeService(port: 0, onListening: $0) }
    ) { (port: Int, _: ServiceGroup) async throws -> Void in
      var (contentType, page) = try await Self.scrape(port)
      #expect(contentType.hasPrefix("text/plain; version=0.0.4"))
      #expect(page.value("lineup_breaker_state", ["breaker": "redis.read", "state": "closed"]) == 1)
      #expect(page.value("lineup_breaker_state", ["breaker": "redis.read", "state": "forced_open"]) == 0)
      #expect(page.value("lineup_control_state_fresh", [:]) == 0, "not read from the store yet")

      application.control.apply(override: .forcedOpen, to: BreakerCatalog.redisRead)
      (_, page) = try await Self.scrape(port)
      #expect(page.value("lineup_breaker_state", ["breaker": "redis.read", "state": "forced_open"]) == 1)
      #expect(page.value("lineup_breaker_state", ["breaker": "redis.read", "state": "closed"]) == 0)
      #expect(page.value("lineup_breaker_state", ["breaker": "redis.write", "state": "closed"]) == 1)
      #expect(page.value("lineup_breaker_transitions_total", ["breaker": "redis.read", "from": "closed", "to": "forced_open"]) == 1)
    }
  }

  private static func scrape(_ port: Int) async throws -> (contentType: String, page: PrometheusText) {
    let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
    let http = try #require(response as? HTTPURLResponse)
    #expect(http.statusCode == 200)
    return (http.value(forHTTPHeaderField: "content-type") ?? "", try PrometheusText(Array(data)))
  }
}

/// A Prometheus text exposition parsed into samples, enough to read values back by name and
/// labels. Refuses lines it cannot parse, so a malformed page fails the test.
struct PrometheusText {
  struct Sample {
    var name: String
    var labels: [String: String]
    var value: Double
  }

  var samples: [Sample] = []

  init(_ bytes: [UInt8]) throws {
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
      samples.append(try Self.sample(String(line)))
    }
  }

  /// The one sample of `name` whose labels include `labels`; nil when there is none (a test
  /// failure when there are several).
  func value(_ name: String, _ labels: [String: String]) -> Double? {
    let matching = matches(name, labels)
    #expect(matching.count <= 1, "\(name) \(labels) matches \(matching.count) samples")
    return matching.first?.value
  }

  /// The sum over every sample of `name` whose labels include `labels`.
  func sum(_ name: String, _ labels: [String: String]) -> Double {
    matches(name, labels).reduce(0) { $0 + $1.value }
  }

  private func matches(_ name: String, _ labels: [String: String]) -> [Sample] {
    samples.filter { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }
  }

  private static func sample(_ line: String) throws -> Sample {
    // name{label="value",…} value — label values here never hold quotes or commas.
    guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
      throw TestingError("not a sample line: \(line)")
    }
    let series = line[..<space]
    guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
    guard series.hasSuffix("}") else { throw TestingError("unterminated labels: \(line)") }
    var labels: [String: String] = [:]
    for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
      let parts = pair.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, parts[1].hasPrefix("\""), parts[1].hasSuffix("\"") else { throw TestingError("bad label \(pair) in \(line)") }
      labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
    }
    return Sample(name: String(series[..<brace]), labels: labels, value: value)
  }
}
