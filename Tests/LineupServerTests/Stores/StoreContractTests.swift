import Foundation
import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import Testing

/// One behaviour contract for every store: the embedded store `make run` uses and the
/// Redis-backed one must be interchangeable, down to ordering, expiry and de-duplication.
@Suite("Store contract")
struct StoreContractTests {
  static let br = CountryCode("BR")!
  static let us = CountryCode("US")!
  static let decay = PopularityDecay(halfLife: 3_600)
  /// Whole seconds, so decay exponents are exact on both backends.
  static let t0 = Date().timeIntervalSince1970.rounded()

  static func bump(_ store: any LineupStore, _ pairs: [(String, Double)], in country: CountryCode = br, at: Double = t0) async throws {
    try await store.addPopularity(pairs.map { PopularityIncrement(country: country, itemID: $0, weight: $1, at: at) }, decay: decay, deadline: soon)
  }

  // MARK: Popularity

  @Test("popularity: ranked, summed, normalized to the top item, limited, per country", arguments: StoreBackend.allCases)
  func popularity(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      #expect(try await store.topItems(in: Self.br, limit: 10, deadline: soon).isEmpty)
      try await Self.bump(store, [("a", 2), ("b", 8), ("a", 2), ("c", 1)])
      try await Self.bump(store, [("x", 1)], in: Self.us)
      let top = try await store.topItems(in: Self.br, limit: 10, deadline: soon)
      #expect(top.map(\.itemID) == ["b", "a", "c"])
      #expect(top.map(\.score) == [1, 0.5, 0.125])
      #expect(try await store.topItems(in: Self.br, limit: 2, deadline: soon).map(\.itemID) == ["b", "a"])
      #expect(try await store.topItems(in: Self.us, limit: 10, deadline: soon).map(\.itemID) == ["x"])
    }
  }

  @Test("popularity: non-positive and non-finite weights are ignored", arguments: StoreBackend.allCases)
  func badWeights(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      try await Self.bump(store, [("x", 0), ("y", -3), ("z", .nan), ("w", .infinity)])
      #expect(try await store.topItems(in: Self.br, limit: 10, deadline: soon).isEmpty)
    }
  }

  @Test("popularity decays: an increment one half-life older counts half; a rescale keeps the order", arguments: StoreBackend.allCases)
  func decay(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      try await Self.bump(store, [("old", 4)], at: Self.t0)
      try await Self.bump(store, [("new", 1)], at: Self.t0 + 3_600)
      // As of the newer increment, "old" is worth 4·½ = 2, "new" 1.
      let top = try await store.topItems(in: Self.br, limit: 2, deadline: soon)
      #expect(top == [PopularityEntry(itemID: "old", score: 1), PopularityEntry(itemID: "new", score: 0.5)])
      // 40 half-lives on: the landmark moves (rescale); a fresh weight 1 beats everything old.
      try await Self.bump(store, [("later", 1)], at: Self.t0 + 40 * 3_600)
      let later = try await store.topItems(in: Self.br, limit: 3, deadline: soon)
      #expect(later.map(\.itemID).first == "later")
      #expect(later[1].score < 1e-9)
    }
  }

  // MARK: Interactions

  static func event(_ id: String, user: String = "u1", item: String, at: Double = t0) -> Interaction {
    Interaction(eventID: id, userID: user, itemID: item, type: .like, timestamp: at, context: RequestContext(country: br))
  }

  @Test("claims: new, duplicate once completed, in flight while pending, free again once released", arguments: StoreBackend.allCases)
  func claims(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      let settings = IngestionSettings()
      let events = [Self.event("e1", item: "a"), Self.event("e2", item: "b")]
      #expect(try await store.claim(events, settings: settings, deadline: soon).outcomes == [.claimed, .claimed])
      #expect(try await store.claim(events, settings: settings, deadline: soon).outcomes == [.inFlight, .inFlight])
      try await store.complete([events[0]], settings: settings, deadline: soon)
      try await store.release([events[1]], settings: settings, deadline: soon)
      #expect(try await store.claim(events, settings: settings, deadline: soon).outcomes == [.duplicate, .claimed])
      // The same event id for another user is another event.
      #expect(try await store.claim([Self.event("e1", user: "u2", item: "a")], settings: settings, deadline: soon).outcomes == [.claimed])
    }
  }

  @Test("claims of one batch spanning users, interleaved: each outcome lands on its own event", arguments: StoreBackend.allCases)
  func claimsAcrossUsers(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      let settings = IngestionSettings()
      let users = ["ua", "ub", "uc", "ud"]
      // e0…e11 round-robin over four users, so each user's events are not contiguous.
      let events = (0..<12).map { Self.event("e\($0)", user: users[$0 % 4], item: "i\($0)") }
      #expect(try await store.claim(events, settings: settings, deadline: soon).outcomes == Array(repeating: .claimed, count: 12))
      // Done: every event of ub and the first of ud; given back: uc's; the rest stay pending.
      let done = events.filter { $0.userID == "ub" } + [events[3]]
      try await store.complete(done, settings: settings, deadline: soon)
      try await store.release(events.filter { $0.userID == "uc" }, settings: settings, deadline: soon)
      let expected: [ClaimOutcome] = events.map { event in
        if done.contains(where: { $0.eventID == event.eventID }) { return .duplicate }
        return event.userID == "uc" ? .claimed : .inFlight
      }
      #expect(try await store.claim(events, settings: settings, deadline: soon).outcomes == expected)
    }
  }

  @Test("a pending claim whose writer died expires, and the retry records the event", arguments: StoreBackend.allCases)
  func abandonedClaim(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      var settings = IngestionSettings()
      settings.pendingClaimTTL = 2
      let event = [Self.event("e-orphan", item: "a")]
      #expect(try await store.claim(event, settings: settings, deadline: soon).outcomes == [.claimed])
      #expect(try await store.claim(event, settings: settings, deadline: soon).outcomes == [.inFlight])
      try await Task.sleep(for: .milliseconds(2_600))
      #expect(try await store.claim(event, settings: settings, deadline: soon).outcomes == [.claimed])
    }
  }

  @Test("apply: recently seen (newest first, capped, never moved back in time), co-visits, creators, events, feed invalidation", arguments: StoreBackend.allCases)
  func apply(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      var settings = IngestionSettings()
      settings.recentlySeenCap = 3
      try await store.cacheResponse([1, 2, 3], for: .feedPage(userID: "u1", page: "p1"), ttlSeconds: 60, deadline: soon)
      try await store.cacheResponse([4], for: .recommendations(userID: "u1", fingerprint: "f"), ttlSeconds: 60, deadline: soon)
      var plan = IngestionPlan()
      plan.seen = [
        SeenUpdate(userID: "u1", itemID: "a", at: Self.t0 + 1), SeenUpdate(userID: "u1", itemID: "b", at: Self.t0 + 2),
        SeenUpdate(userID: "u1", itemID: "c", at: Self.t0 + 3), SeenUpdate(userID: "u1", itemID: "d", at: Self.t0 + 4),
      ]
      plan.coVisits = [CoVisit(itemID: "a", otherItemID: "b", count: 2), CoVisit(itemID: "a", otherItemID: "c", count: 1)]
      plan.creatorsFirstSeen = ["cr-1": 500]
      plan.events = [Self.event("e1", item: "a"), Self.event("e2", item: "b")]
      plan.feedInvalidations = ["u1"]
      try await store.apply(plan, settings: settings, deadline: soon)

      #expect(try await store.recentItems(of: "u1", limit: 10, deadline: soon) == ["d", "c", "b"])
      var older = IngestionPlan()
      older.seen = [SeenUpdate(userID: "u1", itemID: "d", at: Self.t0)]
      older.creatorsFirstSeen = ["cr-1": 100, "cr-2": 700]
      try await store.apply(older, settings: settings, deadline: soon)
      #expect(try await store.recentItems(of: "u1", limit: 2, deadline: soon) == ["d", "c"])
      // Several seeds in one read; one nobody visited after is there, with no items.
      #expect(
        try await store.coVisited(withEach: ["a", "zzz"], limit: 10, deadline: soon)
          == ["a": [PopularityEntry(itemID: "b", score: 2), PopularityEntry(itemID: "c", score: 1)], "zzz": []])
      #expect(try await store.coVisited(withEach: ["a"], limit: 1, deadline: soon) == ["a": [PopularityEntry(itemID: "b", score: 2)]])
      #expect(try await store.coVisited(withEach: [], limit: 10, deadline: soon).isEmpty)
      // Events only set a creator's first-seen when none is known.
      #expect(try await store.creatorsFirstSeen(["cr-1", "cr-2", "cr-3"], deadline: soon) == ["cr-1": 500, "cr-2": 700])
      let events = try await store.latestEvents(limit: 10, deadline: soon)
      #expect(events.map(\.eventID) == ["e2", "e1"])
      #expect(events.first == StoredEvent(eventID: "e2", userID: "u1", itemID: "b", type: "like", timestamp: Self.t0, country: "BR"))
      #expect(try await store.cachedResponse(for: .feedPage(userID: "u1", page: "p1"), deadline: soon) == nil)
      #expect(try await store.cachedResponse(for: .recommendations(userID: "u1", fingerprint: "f"), deadline: soon) == [4])
    }
  }

  @Test("co-visitation read: a seed whose counts are not a sorted set is left out, the other seeds still read", arguments: [StoreBackend.redis, .cluster])
  func coVisitationBadSeed(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      let redis = try #require(store as? RedisStore).redis
      var plan = IngestionPlan()
      plan.coVisits = [CoVisit(itemID: "a", otherItemID: "b", count: 3), CoVisit(itemID: "c", otherItemID: "d", count: 1)]
      try await store.apply(plan, settings: IngestionSettings(), deadline: soon)
      _ = try await redis.send(RedisCommand("SET", RedisKeys.coVisits("bad"), "not a zset"), deadline: soon)
      let read = try await store.coVisited(withEach: ["a", "bad", "c"], limit: 10, deadline: soon)
      #expect(read == ["a": [PopularityEntry(itemID: "b", score: 3)], "c": [PopularityEntry(itemID: "d", score: 1)]])
    }
  }

  @Test("claim reads each user's recent items for co-visitation", arguments: StoreBackend.allCases)
  func claimReadsRecent(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      var plan = IngestionPlan()
      plan.seen = [SeenUpdate(userID: "u1", itemID: "a", at: Self.t0), SeenUpdate(userID: "u1", itemID: "b", at: Self.t0 + 1)]
      try await store.apply(plan, settings: IngestionSettings(), deadline: soon)
      let claim = try await store.claim(
        [Self.event("e9", item: "c"), Self.event("e8", user: "u2", item: "c")], settings: IngestionSettings(), deadline: soon)
      #expect(claim.recentItems == ["u1": ["b", "a"], "u2": []])
    }
  }

  // MARK: Catalog

  static func item(_ id: String, creator: String = "cr-1", createdAt: Int64 = 1_000, firstSeen: Int64? = nil, available: Bool = true) -> CatalogItem {
    CatalogItem(id: id, creatorID: creator, category: "music", createdAt: createdAt, isNewCreator: false, creatorFirstSeen: firstSeen, isAvailable: available)
  }

  @Test("catalog: one version per upsert, changes after a version, pages never split a version, earliest creator first-seen", arguments: StoreBackend.allCases)
  func catalog(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      #expect(try await store.catalogVersion(deadline: soon) == 0)
      #expect(try await store.upsert([Self.item("a", firstSeen: 900), Self.item("b"), Self.item("c")], deadline: soon) == 1)
      #expect(try await store.upsert([Self.item("b", creator: "cr-2", createdAt: 2_000, available: false)], deadline: soon) == 2)
      #expect(try await store.upsert([Self.item("d", createdAt: 800)], deadline: soon) == 3)
      #expect(try await store.catalogVersion(deadline: soon) == 3)

      let all = try await store.changes(after: 0, limit: 100, deadline: soon)
      #expect(all.isComplete)
      #expect(all.throughVersion == 3)
      #expect(all.items.map(\.id) == ["a", "c", "b", "d"])
      let b = try #require(all.items.first { $0.id == "b" })
      #expect(b.creatorID == "cr-2" && !b.isAvailable && b.createdAt == 2_000)
      // cr-1: 900 from item a's first-seen, then 800 from item d's created_at (earlier wins).
      #expect(all.items.first { $0.id == "a" }?.creatorFirstSeen == 800)
      #expect(b.creatorFirstSeen == 2_000)

      let page = try await store.changes(after: 0, limit: 1, deadline: soon)
      #expect(!page.isComplete)
      #expect(page.throughVersion == 1)
      #expect(page.items.map(\.id) == ["a", "c"])
      let next = try await store.changes(after: page.throughVersion, limit: 1, deadline: soon)
      #expect(next.items.map(\.id) == ["b"])
      #expect(try await store.changes(after: 3, limit: 100, deadline: soon).items.isEmpty)
    }
  }

  // MARK: User state, response cache, feed sessions

  @Test("user state: candidates best first and limited, recent items, a cache entry and session items in one read", arguments: StoreBackend.allCases)
  func userState(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      let empty = try await store.userState(
        UserStateQuery(userID: "u1", candidateLimit: 5, recentLimit: 5, cacheKey: .recommendations(userID: "u1", fingerprint: "f"), feedSessionID: "s"),
        deadline: soon)
      #expect(empty == UserState())

      try await store.putCandidates(
        ModelCandidates(modelVersion: "m-3", items: [PopularityEntry(itemID: "x", score: 0.2), PopularityEntry(itemID: "y", score: 0.9), PopularityEntry(itemID: "z", score: 0.5)]),
        for: "u1", ttlSeconds: 3_600, deadline: soon)
      try await store.cacheResponse([9, 0, 255], for: .recommendations(userID: "u1", fingerprint: "f"), ttlSeconds: 60, deadline: soon)
      try await store.addServedItems(["p", "q"], userID: "u1", sessionID: "s", ttlSeconds: 60, deadline: soon)
      try await store.addServedItems(["q", "r"], userID: "u1", sessionID: "s", ttlSeconds: 60, deadline: soon)
      var plan = IngestionPlan()
      plan.seen = [SeenUpdate(userID: "u1", itemID: "seen-1", at: Self.t0)]
      try await store.apply(plan, settings: IngestionSettings(), deadline: soon)

      let state = try await store.userState(
        UserStateQuery(userID: "u1", candidateLimit: 2, recentLimit: 5, cacheKey: .recommendations(userID: "u1", fingerprint: "f"), feedSessionID: "s"),
        deadline: soon)
      #expect(state.candidates == ModelCandidates(modelVersion: "m-3", items: [PopularityEntry(itemID: "y", score: 0.9), PopularityEntry(itemID: "z", score: 0.5)]))
      #expect(state.recentItems == ["seen-1"])
      #expect(state.cachedResponse == [9, 0, 255])
      #expect(state.sessionServed == ["p", "q", "r"])
      #expect(try await store.servedItems(userID: "u1", sessionID: "other", deadline: soon).isEmpty)
      // Replacing candidates drops the old ones.
      try await store.putCandidates(ModelCandidates(modelVersion: "m-4", items: [PopularityEntry(itemID: "w", score: 1)]), for: "u1", ttlSeconds: nil, deadline: soon)
      let replaced = try await store.userState(UserStateQuery(userID: "u1", candidateLimit: 10, recentLimit: 0), deadline: soon)
      #expect(replaced.candidates == ModelCandidates(modelVersion: "m-4", items: [PopularityEntry(itemID: "w", score: 1)]))
    }
  }

  @Test("user state: a candidates check says whether the model has candidates for the user, without reading them", arguments: StoreBackend.allCases)
  func candidatesCheck(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      let check = UserStateQuery(userID: "u1", candidateLimit: 0, recentLimit: 0, cacheKey: .recommendations(userID: "u1", fingerprint: "f"), checksCandidates: true)
      let cold = try await store.userState(check, deadline: soon)
      #expect(cold.hasCandidates == false && cold.candidates == nil)
      // Not asked: not answered.
      var unchecked = check
      unchecked.checksCandidates = false
      #expect(try await store.userState(unchecked, deadline: soon).hasCandidates == nil)

      try await store.putCandidates(ModelCandidates(modelVersion: "m", items: [PopularityEntry(itemID: "x", score: 1)]), for: "u1", ttlSeconds: 3_600, deadline: soon)
      let warm = try await store.userState(check, deadline: soon)
      #expect(warm.hasCandidates == true)
      #expect(warm.candidates == nil, "checked, not read")
      #expect(try await store.userState(check, deadline: soon).hasCandidates == true)
      #expect(try await store.userState(UserStateQuery(userID: "u2", candidateLimit: 0, recentLimit: 0, checksCandidates: true), deadline: soon).hasCandidates == false)
      // Emptied by the model pipeline: none again.
      try await store.putCandidates(ModelCandidates(modelVersion: "m", items: []), for: "u1", ttlSeconds: 3_600, deadline: soon)
      #expect(try await store.userState(check, deadline: soon).hasCandidates == false)
    }
  }

  @Test("response cache: keys are independent, feed pages drop together, entries expire", arguments: StoreBackend.allCases)
  func responseCache(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      let recs = ResponseCacheKey.recommendations(userID: "u{1}", fingerprint: "f")
      let price = ResponseCacheKey.price(userID: "u{1}", productID: "p-1", fingerprint: "BR")
      let page1 = ResponseCacheKey.feedPage(userID: "u{1}", page: "s:0:10")
      let page2 = ResponseCacheKey.feedPage(userID: "u{1}", page: "s:c1:10")
      try await store.cacheResponse([1], for: recs, ttlSeconds: 60, deadline: soon)
      try await store.cacheResponse([2], for: price, ttlSeconds: 60, deadline: soon)
      try await store.cacheResponse([3], for: page1, ttlSeconds: 60, deadline: soon)
      try await store.cacheResponse([4], for: page2, ttlSeconds: 60, deadline: soon)
      #expect(try await store.cachedResponse(for: recs, deadline: soon) == [1])
      #expect(try await store.cachedResponse(for: price, deadline: soon) == [2])
      #expect(try await store.cachedResponse(for: page2, deadline: soon) == [4])
      #expect(try await store.cachedResponse(for: .recommendations(userID: "u{1}", fingerprint: "g"), deadline: soon) == nil)
      try await store.invalidateFeed(of: "u{1}", deadline: soon)
      #expect(try await store.cachedResponse(for: page1, deadline: soon) == nil)
      #expect(try await store.cachedResponse(for: page2, deadline: soon) == nil)
      #expect(try await store.cachedResponse(for: recs, deadline: soon) == [1])
      // A 1 s entry expires (Redis expiry and the in-memory clock are both wall-clock). Only
      // its absence afterwards is checked: reading it back before the second is up would race
      // a loaded machine.
      let expiring = ResponseCacheKey.price(userID: "u{1}", productID: "p-1", fingerprint: "US")
      try await store.cacheResponse([5], for: expiring, ttlSeconds: 1, deadline: soon)
      try await Task.sleep(for: .milliseconds(2_100))
      #expect(try await store.cachedResponse(for: expiring, deadline: soon) == nil)
      #expect(try await store.cachedResponse(for: price, deadline: soon) == [2])
      #expect(try await store.cachedResponse(for: recs, deadline: soon) == [1])
    }
  }

  // MARK: Pricing

  @Test("pricing: policies round-trip, a missing one is nil, an unsound one is refused; features round-trip", arguments: StoreBackend.allCases)
  func pricing(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      let policy = PricingPolicy(productID: "p-1", currency: "BRL", basePriceMinor: 1_999, costMinor: 1_000, minMarginBps: 1_500, maxDiscountBps: 2_000)
      #expect(try await store.pricingPolicy(for: "p-1", deadline: soon) == nil)
      try await store.putPricingPolicy(policy, deadline: soon)
      #expect(try await store.pricingPolicy(for: "p-1", deadline: soon) == policy)
      var unsound = policy
      unsound.maxDiscountBps = 12_000
      await #expect(throws: LineupError.self) { try await store.putPricingPolicy(unsound, deadline: soon) }
      #expect(try await store.pricingPolicy(for: "p-1", deadline: soon) == policy)

      #expect(try await store.userFeatures(of: "u1", deadline: soon).isEmpty)
      try await store.putUserFeatures(["segment": "price_sensitive", "tenure_days": "40"], for: "u1", ttlSeconds: 60, deadline: soon)
      #expect(try await store.userFeatures(of: "u1", deadline: soon) == ["segment": "price_sensitive", "tenure_days": "40"])
      try await store.putUserFeatures(["segment": "loyal"], for: "u1", ttlSeconds: 60, deadline: soon)
      #expect(try await store.userFeatures(of: "u1", deadline: soon) == ["segment": "loyal"])
    }
  }

  // MARK: Control state

  @Test("control: flags and overrides round-trip with their audit entries; AUTO removes an override; audit newest first, paged", arguments: StoreBackend.allCases)
  func control(backend: StoreBackend) async throws {
    try await backend.withStore { store in
      #expect(try await store.controlSnapshot(deadline: soon) == ControlSnapshot())
      var flag = FeatureFlag(name: "recs", rolloutBps: 2_500, regions: ["BR"], variants: [FlagVariant(name: "a", weightBps: 10_000)])
      flag.updatedAt = 1_800_000_000.5
      flag.updatedBy = "ops"
      func entry(_ action: String, _ target: String, _ new: String) -> AuditEntry {
        AuditEntry(actor: "ops", at: 1_800_000_000.5, action: action, target: target, oldValue: "", newValue: new, reason: "test")
      }
      let first = try await store.saveFlag(flag, audit: entry("flag.set", "recs", "{}"), deadline: soon)
      let second = try await store.saveBreakerOverride(.forcedOpen, for: "redis.read", audit: entry("breaker.override", "redis.read", "\"forced_open\""), deadline: soon)
      var snapshot = try await store.controlSnapshot(deadline: soon)
      #expect(snapshot.flags == ["recs": flag])
      #expect(snapshot.breakerOverrides == ["redis.read": .forcedOpen])
      _ = try await store.saveBreakerOverride(.auto, for: "redis.read", audit: entry("breaker.override", "redis.read", "\"auto\""), deadline: soon)
      let fourth = try await store.appendAudit(entry("fallback.reload", "dir", "\"v2\""), deadline: soon)
      snapshot = try await store.controlSnapshot(deadline: soon)
      #expect(snapshot.breakerOverrides.isEmpty)

      let all = try await store.auditEntries(limit: 10, beforeID: nil, deadline: soon)
      #expect(all.map(\.action) == ["fallback.reload", "breaker.override", "breaker.override", "flag.set"])
      #expect(all.first?.id == fourth && all.last?.id == first)
      #expect(all.last?.reason == "test" && all.last?.actor == "ops" && all.last?.at == 1_800_000_000.5)
      let page = try await store.auditEntries(limit: 2, beforeID: second, deadline: soon)
      #expect(page.map(\.id) == [first])
    }
  }
}
