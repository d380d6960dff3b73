import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

/// The control plane end to end over real sockets: admin authentication, audited flag and
/// breaker changes obeyed on the request path, rate limits, and two replicas sharing one
/// redis-server.
@Suite("Admin service and control plane end to end")
struct AdminServiceTests {
  static let adminSecret = "admin-secret-0123456789"
  static let readSecret = "read-secret-0123456789"

  static func configuration() -> LineupConfiguration {
    var config = RunningLineup.testConfiguration()
    config.control.adminTokens = [
      AdminToken(secret: adminSecret, actor: "alice", canWrite: true),
      AdminToken(secret: readSecret, actor: "robot", canWrite: false),
    ]
    return config
  }

  static func bearer(_ secret: String) -> Metadata { ["authorization": "Bearer \(secret)"] }

  /// Stores coins-100 (BRL 19.99, cost 10.00, 15% margin, up to 20% off) and makes `user`
  /// price-sensitive, whose personalized quote is then 16.00.
  static func putCoinsPolicy(priceSensitiveUser user: String, in application: LineupApplication) async throws {
    try await application.store.putPricingPolicy(
      PricingPolicy(productID: "coins-100", currency: "BRL", basePriceMinor: 1_999, costMinor: 1_000, minMarginBps: 1_500, maxDiscountBps: 2_000),
      deadline: .now + .seconds(2))
    try await application.store.putUserFeatures(["segment": "price_sensitive"], for: user, ttlSeconds: 60, deadline: .now + .seconds(2))
  }

  /// Stores 40 model candidates for `user`: catalog items `step`, 2×`step`, … (best first).
  static func putCandidates(for user: String, step: Int, version: String, in application: LineupApplication) async throws {
    try await application.store.putCandidates(
      ModelCandidates(modelVersion: version, items: (1...40).map { PopularityEntry(itemID: String(format: "it-%05d", $0 * step), score: 1 - Double($0) / 100) }),
      for: user, ttlSeconds: nil, deadline: .now + .seconds(2))
  }

  static func code(_ body: () async throws -> Void) async -> RPCError.Code? {
    do {
      try await body()
      return nil
    } catch let error as RPCError {
      return error.code
    } catch {
      return .unknown
    }
  }

  @Test("no token or a wrong one: UNAUTHENTICATED; a read-only token may read but not write: PERMISSION_DENIED")
  func authentication() async throws {
    try await withLineupClient(configuration: Self.configuration()) { client, _ in
      let admin = Lineup_V1_Admin.Client(wrapping: client)
      #expect(await Self.code { _ = try await admin.listFlags(.init()) } == .unauthenticated)
      #expect(await Self.code { _ = try await admin.listFlags(.init(), metadata: Self.bearer("admin-secret-0123456780")) } == .unauthenticated)
      #expect(await Self.code { _ = try await admin.listFlags(.init(), metadata: ["authorization": "Basic \(Self.adminSecret)"]) } == .unauthenticated)
      let flags = try await admin.listFlags(.init(), metadata: Self.bearer(Self.readSecret))
      #expect(flags.flags.map(\.name).contains("recs"))
      let kill = Lineup_V1_SetFlagRequest.with {
        $0.flag = .with { $0.name = "recs"; $0.killed = true }
        $0.reason = "incident"
      }
      #expect(await Self.code { _ = try await admin.setFlag(kill, metadata: Self.bearer(Self.readSecret)) } == .permissionDenied)
      #expect(await Self.code { _ = try await admin.setBreakerOverride(.with { $0.name = "redis.read"; $0.override = .forcedOpen; $0.reason = "x" }, metadata: Self.bearer(Self.readSecret)) } == .permissionDenied)
      // Nothing changed, nothing audited.
      let audit = try await admin.listAuditEvents(.init(), metadata: Self.bearer(Self.readSecret))
      #expect(audit.events.isEmpty)
      // The public service needs no token.
      _ = try await Lineup_V1_Recommender.Client(wrapping: client).getTrending(.with { $0.limit = 1 })
    }
  }

  @Test("a server without admin tokens refuses every admin call")
  func noTokensConfigured() async throws {
    try await withLineupClient { client, _ in
      let admin = Lineup_V1_Admin.Client(wrapping: client)
      #expect(await Self.code { _ = try await admin.listBreakers(.init(), metadata: Self.bearer(Self.adminSecret)) } == .unauthenticated)
    }
  }

  @Test("killing recs serves the baseline with the flag decision; a forced-open breaker serves it as BREAKER_OPEN; every change audited")
  func flagsAndBreakersOnTheRequestPath() async throws {
    try await withLineupClient(configuration: Self.configuration()) { client, _ in
      let admin = Lineup_V1_Admin.Client(wrapping: client)
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetRecommendationsRequest.with { $0.userID = "u1"; $0.context.country = "BR"; $0.limit = 5 }
      var response = try await recommender.getRecommendations(request)
      #expect(response.provenance.flag.result == .on)
      #expect(response.provenance.fallbackReason == .noCandidates)

      let set = try await admin.setFlag(
        .with {
          $0.flag = .with { $0.name = "recs"; $0.killed = true; $0.rolloutBps = 10_000 }
          $0.reason = "incident 42"
        }, metadata: Self.bearer(Self.adminSecret))
      #expect(set.flag.updatedBy == "alice" && set.flag.salt == "recs" && set.previous.killed == false)
      response = try await recommender.getRecommendations(request)
      #expect(response.provenance.source == .fallback)
      #expect(response.provenance.fallbackReason == .flagOff)
      #expect(response.provenance.flag.flag == "recs" && response.provenance.flag.result == .off && response.provenance.flag.reason == "killed")
      #expect(response.items.count == 5)

      _ = try await admin.setFlag(.with { $0.flag = .with { $0.name = "recs"; $0.rolloutBps = 10_000 }; $0.reason = "resolved" }, metadata: Self.bearer(Self.adminSecret))
      let forced = try await admin.setBreakerOverride(
        .with { $0.name = "redis.read"; $0.override = .forcedOpen; $0.reason = "drill" }, metadata: Self.bearer(Self.adminSecret))
      #expect(forced.breaker.state == .forcedOpen && forced.previousOverride == .auto)
      response = try await recommender.getRecommendations(request)
      #expect(response.provenance.fallbackReason == .breakerOpen)
      let breakers = try await admin.listBreakers(.init(), metadata: Self.bearer(Self.readSecret))
      #expect(breakers.breakers.first { $0.name == "redis.read" }?.override == .forcedOpen)
      #expect(await Self.code { _ = try await admin.setBreakerOverride(.with { $0.name = "redis.read"; $0.override = .unspecified; $0.reason = "x" }, metadata: Self.bearer(Self.adminSecret)) } == .invalidArgument)
      #expect(await Self.code { _ = try await admin.setFlag(.with { $0.flag = .with { $0.name = "recs" } }, metadata: Self.bearer(Self.adminSecret)) } == .invalidArgument)

      let audit = try await admin.listAuditEvents(.init(), metadata: Self.bearer(Self.readSecret))
      #expect(audit.events.map(\.action) == ["breaker.override", "flag.set", "flag.set"])
      #expect(audit.events.allSatisfy { $0.actor == "alice" })
      #expect(audit.events.last?.reason == "incident 42")
      #expect(audit.events.last?.newValue.contains("\"killed\":true") == true)
      let older = try await admin.listAuditEvents(.with { $0.beforeID = audit.events[0].id; $0.limit = 1 }, metadata: Self.bearer(Self.readSecret))
      #expect(older.events.map(\.id) == [audit.events[1].id])
    }
  }

  @Test("killing source.model drops the model's candidates from new answers at once — the cached slate with them is not served; restoring it brings them back")
  func sourceFlags() async throws {
    try await withLineupClient(configuration: Self.configuration()) { client, application in
      try await Self.putCandidates(for: "watcher", step: 13, version: "m-src", in: application)
      let admin = Lineup_V1_Admin.Client(wrapping: client)
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetRecommendationsRequest.with { $0.userID = "watcher"; $0.context.country = "BR"; $0.limit = 10 }
      func modelItems(_ response: Lineup_V1_GetRecommendationsResponse) -> Int {
        response.items.count { $0.reasons.contains { $0.code == "MODEL_SCORE" } }
      }
      let first = try await recommender.getRecommendations(request)
      #expect(first.provenance.source == .model && modelItems(first) > 0)
      #expect(try await eventually { application.writeBehind.completed >= 1 })
      #expect(try await recommender.getRecommendations(request).provenance.cacheHit)
      // A feed session's second page, cached when served: its retry is a cache hit until the kill.
      func feedPage(_ cursor: String) async throws -> Lineup_V1_GetFeedResponse {
        try await recommender.getFeed(.with { $0.userID = "watcher"; $0.context.country = "BR"; $0.pageSize = 10; $0.cursor = cursor })
      }
      func feedModelItems(_ page: Lineup_V1_GetFeedResponse) -> Int { page.items.count { $0.reasons.contains { $0.code == "MODEL_SCORE" } } }
      let firstPageCursor = try await feedPage("").nextCursor
      let second = try await feedPage(firstPageCursor)
      #expect(second.provenance.source == .model && feedModelItems(second) > 0)
      #expect(try await feedPage(firstPageCursor).provenance.cacheHit, "a retried cursor is served from the feed cache")

      _ = try await admin.setFlag(
        .with { $0.flag = .with { $0.name = "source.model"; $0.killed = true }; $0.reason = "bad model push" }, metadata: Self.bearer(Self.adminSecret))
      let without = try await recommender.getRecommendations(request)
      #expect(!without.provenance.cacheHit, "the slate cached with the model's items must not be served")
      #expect(modelItems(without) == 0)
      #expect(without.provenance.fallbackReason == .noCandidates, "no personal source left for this user: the baseline")
      #expect(without.items.count == 10)
      let retried = try await feedPage(firstPageCursor)
      #expect(!retried.provenance.cacheHit && feedModelItems(retried) == 0, "the page cached with the model's items must not be served")
      let explained = try await recommender.explainRecommendation(.with { $0.userID = "watcher"; $0.itemID = first.items[0].itemID; $0.context.country = "BR"; $0.limit = 10 })
      #expect(!explained.sources.contains("model"))

      let page = try PrometheusText(application.metrics.exposition())
      #expect(page.value("lineup_flag_evaluations_total", ["flag": "source.model", "result": "off"]) ?? 0 >= 1)
      #expect(page.value("lineup_flag_evaluations_total", ["flag": "source.model", "result": "on"]) ?? 0 >= 2)

      _ = try await admin.setFlag(
        .with { $0.flag = .with { $0.name = "source.model"; $0.rolloutBps = 10_000 }; $0.reason = "model fixed" }, metadata: Self.bearer(Self.adminSecret))
      let back = try await recommender.getRecommendations(request)
      #expect(modelItems(back) > 0)
    }
  }

  @Test("ReloadFallback re-reads the files, says what it loaded, and is audited")
  func reloadFallback() async throws {
    try await withLineupClient(configuration: Self.configuration()) { client, _ in
      let admin = Lineup_V1_Admin.Client(wrapping: client)
      #expect(await Self.code { _ = try await admin.reloadFallback(.init(), metadata: Self.bearer(Self.adminSecret)) } == .invalidArgument)
      let reloaded = try await admin.reloadFallback(.with { $0.reason = "new baselines" }, metadata: Self.bearer(Self.adminSecret))
      #expect(reloaded.countries > 0 && reloaded.items > 0)
      #expect(!reloaded.dataVersion.isEmpty)
      let audit = try await admin.listAuditEvents(.init(), metadata: Self.bearer(Self.adminSecret))
      #expect(audit.events.first?.action == "fallback.reload")
    }
  }

  @Test("past the per-user rate: RESOURCE_EXHAUSTED with RetryInfo; other users are not affected")
  func rateLimit() async throws {
    var config = Self.configuration()
    config.control.rateLimits.perUserPerMinute = 3
    try await withLineupClient(configuration: config) { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      func ask(_ user: String) async throws {
        _ = try await recommender.getRecommendations(.with { $0.userID = user; $0.limit = 1 })
      }
      for _ in 0..<3 { try await ask("heavy") }
      do {
        try await ask("heavy")
        Issue.record("the 4th call within a minute passed")
      } catch let error as RPCError {
        #expect(error.code == .resourceExhausted)
        let status = try #require(try error.unpackGoogleRPCStatus())
        let retry = try #require(status.details.compactMap(\.retryInfo).first)
        // 3/min refills one call every 20 s.
        #expect(retry.delay > .seconds(15) && retry.delay <= .seconds(20))
      }
      try await ask("light")
    }
  }

  /// Run twice: with the 1 s re-read and pub/sub both on, and with the re-read an hour apart,
  /// so only the announcement on the control channel can bring the change within 2 s.
  @Test(
    "two replicas on one redis-server: a flag set and a breaker forced through one are obeyed by the other within 2 s",
    arguments: [Duration.seconds(1), .seconds(3600)])
  func replicasShareControlState(refreshInterval: Duration) async throws {
    let redis = try await RedisServerProcess.start()
    var shared = Self.configuration()
    shared.redis.url = redis.url
    shared.control.refreshInterval = refreshInterval
    let config = shared
    try await RunningLineup.with(configuration: config) { portA, _ in
      try await RunningLineup.with(configuration: config) { portB, _ in
        try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: portA), transportSecurity: .plaintext)) { a in
          try await withGRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: portB), transportSecurity: .plaintext)) { b in
            let adminA = Lineup_V1_Admin.Client(wrapping: a)
            let adminB = Lineup_V1_Admin.Client(wrapping: b)
            let recsB = Lineup_V1_Recommender.Client(wrapping: b)
            let request = Lineup_V1_GetRecommendationsRequest.with { $0.userID = "u1"; $0.context.country = "BR"; $0.limit = 3 }
            #expect(try await recsB.getRecommendations(request).provenance.flag.result == .on)

            let changed = ContinuousClock.now
            _ = try await adminA.setFlag(
              .with { $0.flag = .with { $0.name = "recs"; $0.rolloutBps = 0 }; $0.reason = "roll back" }, metadata: Self.bearer(Self.adminSecret))
            _ = try await adminA.setBreakerOverride(
              .with { $0.name = "redis.write"; $0.override = .forcedOpen; $0.reason = "drill" }, metadata: Self.bearer(Self.adminSecret))
            #expect(try await eventually(timeout: .seconds(2)) {
              try await recsB.getRecommendations(request).provenance.flag.reason == "rollout_excluded"
            })
            #expect(try await eventually(timeout: .seconds(2)) {
              try await adminB.listBreakers(.init(), metadata: Self.bearer(Self.readSecret)).breakers.first { $0.name == "redis.write" }?.state == .forcedOpen
            })
            #expect(ContinuousClock.now - changed < .seconds(4))
            let flagsB = try await adminB.listFlags(.init(), metadata: Self.bearer(Self.readSecret))
            #expect(flagsB.stateIsFresh)
            #expect(flagsB.flags.first { $0.name == "recs" }?.updatedBy == "alice")
            // RecordInteractions on B is refused at once while redis.write is forced open.
            let event = Lineup_V1_InteractionEvent.with {
              $0.eventID = "e1"; $0.userID = "u1"; $0.itemID = "it-00001"; $0.type = .view
              $0.timestamp = Google_Protobuf_Timestamp(date: Date())
            }
            #expect(await Self.code { _ = try await recsB.recordInteractions(.with { $0.events = [event] }) } == .unavailable)
          }
        }
      }
    }
  }

  @Test("DeleteUserData erases the user's history, events, sessions and cached pages, reports it, leaves other users alone; no key of the user is left in Redis", arguments: [false, true])
  func deleteUserData(onRedis: Bool) async throws {
    let redis = onRedis ? try await RedisServerProcess.start() : nil
    var shared = Self.configuration()
    shared.redis.url = redis?.url
    let config = shared
    try await withLineupClient(configuration: config) { client, _ in
      let admin = Lineup_V1_Admin.Client(wrapping: client)
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      for user in ["forget-me", "keep-me", "forget*"] {
        let events = (0..<3).map { index in
          Lineup_V1_InteractionEvent.with {
            $0.eventID = "\(user)-\(index)"; $0.userID = user; $0.itemID = String(format: "it-%05d", index + 1); $0.type = .view
            $0.timestamp = Google_Protobuf_Timestamp(date: Date())
          }
        }
        #expect(try await recommender.recordInteractions(.with { $0.events = events }).accepted == 3)
        _ = try await recommender.getFeed(.with { $0.userID = user; $0.pageSize = 5; $0.context.sessionID = "s1" })
      }
      #expect(await Self.code { _ = try await admin.deleteUserData(.with { $0.userID = "forget-me" }, metadata: Self.bearer(Self.adminSecret)) } == .invalidArgument)
      #expect(await Self.code { _ = try await admin.deleteUserData(.with { $0.userID = "forget-me"; $0.reason = "GDPR" }, metadata: Self.bearer(Self.readSecret)) } == .permissionDenied)

      let response = try await admin.deleteUserData(.with { $0.userID = "forget-me"; $0.reason = "GDPR request 7" }, metadata: Self.bearer(Self.adminSecret))
      let removed = Dictionary(uniqueKeysWithValues: response.removed.map { ($0.kind, $0.count) })
      #expect((removed["history"] ?? 0) >= 1)
      #expect(removed["events"] == 3)
      #expect(removed["feed_sessions"] == 1)
      #expect((removed["cached_responses"] ?? 0) >= 1)
      // Idempotent, and nothing is left to find.
      let again = try await admin.deleteUserData(.with { $0.userID = "forget-me"; $0.reason = "check" }, metadata: Self.bearer(Self.adminSecret))
      #expect(again.removed.allSatisfy { $0.count == 0 })

      if let redis {
        let connection = try await RedisConnection.connect(to: redis.url, deadline: .now + .seconds(2))
        let left = try await connection.send(RedisCommand("KEYS", "*forget-me*"), deadline: .now + .seconds(2))
        #expect(left.array?.isEmpty == true, "keys left: \(left)")
        let kept = try await connection.send(RedisCommand("KEYS", "*keep-me*"), deadline: .now + .seconds(2))
        #expect((kept.array?.count ?? 0) >= 2)
        // "forget*" is its own user: erasing "forget-me" matched its keys literally.
        let starred = try await connection.send(RedisCommand("KEYS", "*forget\\**"), deadline: .now + .seconds(2))
        #expect((starred.array?.count ?? 0) >= 2, "\(starred)")
        let stream = try await connection.send(RedisCommand("XRANGE", "lineup:events:{ev}", "-", "+"), deadline: .now + .seconds(2))
        #expect(stream.array?.count == 6)
        await connection.close()
      }
      // The audit names the user by hash only.
      let audit = try await admin.listAuditEvents(.init(), metadata: Self.bearer(Self.adminSecret))
      #expect(audit.events.first?.action == "user.delete")
      #expect(audit.events.allSatisfy { !$0.target.contains("forget-me") && !$0.newValue.contains("forget-me") })
    }
  }

  @Test("shadow mode serves the baseline, computes the personalized slate in the background and records the comparison, writing no cache")
  func shadowMode() async throws {
    try await withLineupClient(configuration: Self.configuration()) { client, application in
      let admin = Lineup_V1_Admin.Client(wrapping: client)
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      // Two users with overlapping histories: co-visitation personalizes u1's slate.
      for user in ["u1", "u2"] {
        let events = (0..<4).map { index in
          Lineup_V1_InteractionEvent.with {
            $0.eventID = "\(user)-\(index)"; $0.userID = user; $0.type = .view
            $0.itemID = String(format: "it-%05d", user == "u1" ? index + 1 : index + 2)
            $0.timestamp = Google_Protobuf_Timestamp(date: Date(timeIntervalSinceNow: Double(index - 10)))
          }
        }
        _ = try await recommender.recordInteractions(.with { $0.events = events })
      }
      _ = try await admin.setFlag(
        .with { $0.flag = .with { $0.name = "recs"; $0.rolloutBps = 10_000; $0.shadow = true }; $0.reason = "compare" },
        metadata: Self.bearer(Self.adminSecret))
      let request = Lineup_V1_GetRecommendationsRequest.with { $0.userID = "u1"; $0.context.country = "BR"; $0.limit = 5 }
      let shadowed = try await recommender.getRecommendations(request)
      #expect(shadowed.provenance.source == .fallback && shadowed.provenance.fallbackReason == .shadow)
      #expect(shadowed.provenance.flag.result == .shadow)
      #expect(try await eventually { (application.control.shadow["recs"]?.runs ?? 0) >= 1 })
      let stats = try #require(application.control.shadow["recs"])
      #expect((0...1).contains(stats.meanOverlap))
      application.metrics.recordControlState(application.control)
      let page = try PrometheusText(application.metrics.exposition())
      #expect(page.value("lineup_shadow_runs", ["flag": "recs"]) ?? 0 >= 1)

      _ = try await admin.setFlag(
        .with { $0.flag = .with { $0.name = "recs"; $0.rolloutBps = 10_000 }; $0.reason = "done" }, metadata: Self.bearer(Self.adminSecret))
      // The shadow run cached nothing: the first personalized answer is computed, not CACHE.
      let live = try await recommender.getRecommendations(request)
      #expect(live.provenance.source == .model, "\(live.provenance)")
      #expect(!live.provenance.cacheHit)
    }
  }

  @Test("feed and pricing in shadow mode serve the baseline page and the base price, compute the personalized answers in the background and record the comparisons; nothing is written for them")
  func feedAndPricingShadow() async throws {
    try await withLineupClient(configuration: Self.configuration()) { client, application in
      try await Self.putCandidates(for: "reader", step: 7, version: "m-shadow", in: application)
      try await Self.putCoinsPolicy(priceSensitiveUser: "reader", in: application)
      let admin = Lineup_V1_Admin.Client(wrapping: client)
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      for name in ["feed", "pricing"] {
        _ = try await admin.setFlag(
          .with { $0.flag = .with { $0.name = name; $0.rolloutBps = 10_000; $0.shadow = true }; $0.reason = "compare" },
          metadata: Self.bearer(Self.adminSecret))
      }

      let page = try await recommender.getFeed(.with { $0.userID = "reader"; $0.context.country = "BR"; $0.context.sessionID = "s-shadow"; $0.pageSize = 10 })
      #expect(page.provenance.source == .fallback && page.provenance.fallbackReason == .shadow && page.provenance.flag.result == .shadow)
      #expect(page.items.count == 10)
      let quote = try await recommender.getPrice(.with { $0.userID = "reader"; $0.productID = "coins-100"; $0.context.country = "BR" })
      #expect(quote.price.minorUnits == 1_999 && quote.provenance.fallbackReason == .shadow)
      #expect(quote.reasons.contains { $0.text.contains("shadow mode") })

      #expect(try await eventually { (application.control.shadow["feed"]?.runs ?? 0) >= 1 && (application.control.shadow["pricing"]?.runs ?? 0) >= 1 })
      let feedStats = try #require(application.control.shadow["feed"])
      // The personalized page leads with the model's candidates, which the baseline does not.
      #expect(feedStats.meanOverlap < 1)
      let pricing = try #require(application.control.shadow["pricing"])
      #expect(pricing.meanOverlap == 0, "the personalized price (1,600) differs from the base price served")
      #expect(abs((pricing.meanPriceRatio ?? 0) - 1_600.0 / 1_999.0) < 1e-9)
      application.metrics.recordControlState(application.control)
      let metrics = try PrometheusText(application.metrics.exposition())
      #expect(metrics.value("lineup_shadow_runs", ["flag": "feed"]) ?? 0 >= 1)
      #expect(abs((metrics.value("lineup_shadow_mean_price_ratio", ["flag": "pricing"]) ?? 0) - 1_600.0 / 1_999.0) < 1e-6)

      // The shadow page left the session's served set alone, and no quote was cached.
      #expect(try await application.store.servedItems(userID: "reader", sessionID: "s-shadow", deadline: .now + .seconds(2)).isEmpty)
      _ = try await admin.setFlag(
        .with { $0.flag = .with { $0.name = "pricing"; $0.rolloutBps = 10_000 }; $0.reason = "done" }, metadata: Self.bearer(Self.adminSecret))
      let live = try await recommender.getPrice(.with { $0.userID = "reader"; $0.productID = "coins-100"; $0.context.country = "BR" })
      #expect(live.price.minorUnits == 1_600 && !live.provenance.cacheHit)
    }
  }

  @Test("a candidate source in shadow mode: the slate is served without it, and the slate with it is computed in the background and compared under the source's flag")
  func sourceShadow() async throws {
    try await withLineupClient(configuration: Self.configuration()) { client, application in
      try await Self.putCandidates(for: "reader", step: 7, version: "m-shadow", in: application)
      _ = try await Lineup_V1_Admin.Client(wrapping: client).setFlag(
        .with { $0.flag = .with { $0.name = "source.model"; $0.rolloutBps = 10_000; $0.shadow = true }; $0.reason = "compare the model" },
        metadata: Self.bearer(Self.adminSecret))
      let served = try await Lineup_V1_Recommender.Client(wrapping: client).getRecommendations(
        .with { $0.userID = "reader"; $0.context.country = "BR"; $0.limit = 10 })
      #expect(served.items.count == 10)
      #expect(!served.items.contains { $0.reasons.contains { $0.code == "MODEL_SCORE" } }, "served without the shadowed source")
      #expect(try await eventually { (application.control.shadow["source.model"]?.runs ?? 0) >= 1 })
      #expect(try #require(application.control.shadow["source.model"]).meanOverlap < 1, "with the model's 40 candidates the slate differs")
      #expect(application.control.shadow["recs"] == nil, "the recs flag itself is on")
    }
  }

  @Test("an admin token given by flag replaces the one from the environment")
  func tokenRotation() throws {
    let config = try LineupConfiguration.resolve(
      environment: ["LINEUP_ADMIN_TOKEN": "old-token-0123456789"], flags: [.adminToken: "new-token-0123456789"])
    #expect(config.control.adminTokens.map(\.secret) == ["new-token-0123456789"])
    #expect(throws: ConfigurationError.self) { try LineupConfiguration.resolve(environment: ["LINEUP_ADMIN_TOKEN": "short"]) }
  }

  @Test("pricing off quotes the base price (never below the floor, never from the cache); a forced-open pricing.policy breaker quotes the list price at once")
  func pricingFlagAndBreaker() async throws {
    try await withLineupClient(configuration: Self.configuration()) { client, application in
      try await Self.putCoinsPolicy(priceSensitiveUser: "buyer", in: application)
      let admin = Lineup_V1_Admin.Client(wrapping: client)
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetPriceRequest.with { $0.userID = "buyer"; $0.productID = "coins-100"; $0.context.country = "BR" }
      let personal = try await recommender.getPrice(request)
      #expect(personal.price.minorUnits == 1_600 && personal.provenance.flag.result == .on)
      #expect(try await eventually { application.writeBehind.completed >= 1 })

      _ = try await admin.setFlag(
        .with { $0.flag = .with { $0.name = "pricing"; $0.killed = true }; $0.reason = "pricing incident" }, metadata: Self.bearer(Self.adminSecret))
      let off = try await recommender.getPrice(request)
      #expect(off.price.minorUnits == 1_999 && off.discountBps == 0, "the cached personalized quote must not be served")
      #expect(off.provenance.source == .fallback && off.provenance.fallbackReason == .flagOff)
      #expect(off.provenance.flag.flag == "pricing" && off.provenance.flag.result == .off)
      #expect(off.price.minorUnits >= off.floorPrice.minorUnits)

      _ = try await admin.setBreakerOverride(
        .with { $0.name = "pricing.policy"; $0.override = .forcedOpen; $0.reason = "drill" }, metadata: Self.bearer(Self.adminSecret))
      var withList = request
      withList.listPrice = .with { $0.currencyCode = "BRL"; $0.minorUnits = 2_100 }
      let listed = try await recommender.getPrice(withList)
      #expect(listed.price.minorUnits == 2_100 && listed.provenance.fallbackReason == .breakerOpen)
      #expect(await Self.code { _ = try await recommender.getPrice(request) } == .unavailable)
    }
  }
}
