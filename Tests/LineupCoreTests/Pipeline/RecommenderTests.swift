import Logging
import Testing

@testable import LineupCore

/// Encodes a slate as its item ids and model version, enough to check the cache round trip
/// without the wire format (the service edge tests the protobuf codec).
private struct TestSlateCodec: SlateCodec {
  func encode(_ slate: Slate) -> [UInt8] {
    Array((["v=" + slate.provenance.modelVersion] + slate.items.map(\.item.id)).joined(separator: ",").utf8)
  }

  func decode(_ bytes: [UInt8]) -> Slate? {
    let parts = String(decoding: bytes, as: UTF8.self).split(separator: ",").map(String.init)
    guard let version = parts.first?.dropFirst(2) else { return nil }
    let catalog = FallbackLadderTests.data().catalog
    return Slate(
      items: parts.dropFirst().compactMap { catalog[$0].map { ServedItem(item: $0, score: 1, reasons: []) } },
      provenance: Provenance(source: .model, modelVersion: String(version), requestID: "cached", ttlSeconds: 300, computedAt: 1)
    )
  }
}

@Suite("Recommender")
struct RecommenderTests {
  let logger = Logger(label: "test")
  static let br = CountryCode("BR")!

  func recommender(
    store: (any LineupStore)?, codec: (any SlateCodec)? = nil, writeBehind: WriteBehindQueue? = nil, control: ControlPlane? = nil,
    nearCache: NearCache<Slate>? = nil
  ) -> Recommender {
    let data = FallbackLadderTests.data()
    return Recommender(
      fallback: FallbackDataHolder(data), catalog: CatalogHolder(files: data.catalog), store: store,
      codec: codec, writeBehind: writeBehind, control: control, nearCache: nearCache, now: { 1_800_000_000 })
  }

  /// A store in which user u1 has one model candidate, it-9.
  static func storeWithOneCandidate() async throws -> InMemoryStore {
    let store = InMemoryStore()
    try await store.putCandidates(
      ModelCandidates(modelVersion: "m-1", items: [PopularityEntry(itemID: "it-9", score: 1)]), for: "u1", ttlSeconds: nil,
      deadline: .now + .seconds(1))
    return store
  }

  @Test("without a store, a recommendation slate is a provenance-stamped baseline of `limit` items")
  func baselineOnly() async {
    let request = RecommendationRequest(userID: "u1", context: RequestContext(country: Self.br), limit: 7)
    let slate = await recommender(store: nil).recommendations(request, requestID: "req-1", logger: logger)
    #expect(slate.items.count == 7)
    #expect(slate.provenance.source == .fallback)
    #expect(slate.provenance.fallbackReason == .baselineOnly)
    #expect(slate.provenance.fallbackLevel == .countryFile)
    #expect(slate.provenance.requestID == "req-1")
    #expect(slate.provenance.ttlSeconds == 300)
    #expect(slate.provenance.modelVersion == "fallback:test")
    #expect(slate.provenance.computedAt == 1_800_000_000)
  }

  @Test("a cold user (no candidates) gets the baseline with reason NO_CANDIDATES")
  func coldUser() async {
    let request = RecommendationRequest(userID: "cold", context: RequestContext(country: Self.br), limit: 5)
    let slate = await recommender(store: InMemoryStore()).recommendations(request, requestID: "r", logger: logger)
    #expect(slate.provenance.source == .fallback)
    #expect(slate.provenance.fallbackReason == .noCandidates)
    #expect(slate.items.count == 5)
  }

  @Test("model candidates lead a MODEL slate: best first, excluded and unknown items dropped, the rest from trending, guardrails reported")
  func modelSlate() async throws {
    let store = InMemoryStore()
    try await store.putCandidates(
      ModelCandidates(modelVersion: "m-7", items: [
        PopularityEntry(itemID: "it-5", score: 0.9), PopularityEntry(itemID: "ghost", score: 0.8),
        PopularityEntry(itemID: "it-6", score: 0.45), PopularityEntry(itemID: "it-7", score: 0.3),
      ]),
      for: "u1", ttlSeconds: nil, deadline: .now + .seconds(1))
    let request = RecommendationRequest(userID: "u1", context: RequestContext(country: Self.br), limit: 4, excludedItemIDs: ["it-7"])
    let slate = await recommender(store: store).recommendations(request, requestID: "r", logger: logger)
    #expect(slate.provenance.source == .model)
    #expect(slate.provenance.modelVersion == "m-7")
    #expect(slate.items.count == 4)
    #expect(slate.items.prefix(2).map(\.item.id) == ["it-5", "it-6"])
    #expect(slate.items.prefix(2).allSatisfy { $0.reasons.first?.code == .modelScore })
    // The model's best outranks its second: the blend keeps the model's order.
    #expect(slate.items[0].score > slate.items[1].score)
    #expect(!slate.items.contains { ["it-7", "ghost"].contains($0.item.id) })
    // The rest come from the BR baseline (or the new-creator pool), each saying so.
    let baselineCodes: Set<ReasonCode> = [.popularInCountry, .newCreator, .newCreatorFloor, .categorySpread, .creatorCap]
    #expect(slate.items.suffix(2).allSatisfy { $0.reasons.contains { baselineCodes.contains($0.code) } })
    #expect(Set(slate.provenance.guardrails.map(\.name)) == ["new_creator_floor", "creator_cap", "category_spread"])
  }

  @Test("fallback slates keep the guardrails too: the new-creator floor and the per-creator cap hold when Redis is not there")
  func fallbackGuardrails() async {
    let request = RecommendationRequest(userID: "u1", context: RequestContext(country: Self.br), limit: 10)
    let slate = await recommender(store: nil).recommendations(request, requestID: "r", logger: logger)
    #expect(slate.provenance.source == .fallback)
    #expect(slate.items.count == 10)
    // 10 creators in the test catalog, a cap of 1 each at this size; floor ⌈1.5⌉ = 2.
    #expect(Set(slate.items.map(\.item.creatorID)).count == 10)
    #expect(slate.items.count(where: \.item.isNewCreator) >= 2)
    #expect(slate.provenance.guardrails.allSatisfy { $0.satisfied })
  }

  @Test("co-visitation of the user's newest items personalizes a slate even without model candidates")
  func coVisitation() async throws {
    let store = InMemoryStore()
    let catalog = FallbackLadderTests.data().catalog
    let events = [
      // Other users watched it-20 then it-21 (twice) and it-22 (once).
      Interaction(eventID: "e1", userID: "a", itemID: "it-20", type: .view, timestamp: 1_000, context: RequestContext(country: Self.br)),
      Interaction(eventID: "e2", userID: "a", itemID: "it-21", type: .view, timestamp: 1_001, context: RequestContext(country: Self.br)),
      Interaction(eventID: "e3", userID: "b", itemID: "it-20", type: .view, timestamp: 1_000, context: RequestContext(country: Self.br)),
      Interaction(eventID: "e4", userID: "b", itemID: "it-21", type: .view, timestamp: 1_001, context: RequestContext(country: Self.br)),
      Interaction(eventID: "e5", userID: "b", itemID: "it-22", type: .view, timestamp: 1_002, context: RequestContext(country: Self.br)),
      // This user just watched it-20.
      Interaction(eventID: "e6", userID: "me", itemID: "it-20", type: .view, timestamp: 2_000, context: RequestContext(country: Self.br)),
    ]
    let plan = IngestionPlan.make(events: events, recentItems: [:], catalog: { catalog[$0] }, settings: IngestionSettings())
    try await store.apply(plan, settings: IngestionSettings(), deadline: .now + .seconds(1))
    let request = RecommendationRequest(userID: "me", context: RequestContext(country: Self.br), limit: 5)
    let slate = await recommender(store: store).recommendations(request, requestID: "r", logger: logger)
    #expect(slate.provenance.source == .model)
    #expect(slate.provenance.modelVersion == Recommender.coVisitationOnlyVersion)
    let ids = slate.items.map(\.item.id)
    #expect(ids.contains("it-21"))
    #expect(!ids.contains("it-20"))  // already seen
    #expect(slate.items.first { $0.item.id == "it-21" }?.reasons.first?.code == .coVisitation)
  }

  @Test("with a response cache the first read is only a probe; a miss still filters every seen item, not only the probe's newest five")
  func seenFilterOnProbedMiss() async throws {
    let store = InMemoryStore()
    let catalog = FallbackLadderTests.data().catalog
    let seen = (1...8).map { "it-\($0)" }
    let events = seen.enumerated().map { index, item in
      Interaction(eventID: "s\(index)", userID: "me", itemID: item, type: .view, timestamp: 1_000 + Double(index), context: RequestContext(country: Self.br))
    }
    let plan = IngestionPlan.make(events: events, recentItems: [:], catalog: { catalog[$0] }, settings: IngestionSettings())
    try await store.apply(plan, settings: IngestionSettings(), deadline: .now + .seconds(1))
    // The model proposes the seen items first, then others.
    let proposed = seen + (10...29).map { "it-\($0)" }
    try await store.putCandidates(
      ModelCandidates(modelVersion: "m-1", items: proposed.enumerated().map { PopularityEntry(itemID: $1, score: 1 - Double($0) / 100) }),
      for: "me", ttlSeconds: nil, deadline: .now + .seconds(1))
    let queue = WriteBehindQueue()
    let recommender = recommender(store: store, codec: TestSlateCodec(), writeBehind: queue)
    let slate = await recommender.recommendations(
      RecommendationRequest(userID: "me", context: RequestContext(country: Self.br), limit: 10), requestID: "r", logger: logger)
    #expect(slate.provenance.source == .model)
    #expect(slate.items.count == 10)
    #expect(Set(slate.items.map(\.item.id)).isDisjoint(with: seen))
    queue.finish()
  }

  @Test("a MODEL slate is cached write-behind and the next request is a CACHE hit with its own request id")
  func cacheHit() async throws {
    let store = try await Self.storeWithOneCandidate()
    let queue = WriteBehindQueue()
    let draining = Task { await queue.run() }
    let recommender = recommender(store: store, codec: TestSlateCodec(), writeBehind: queue)
    let request = RecommendationRequest(userID: "u1", context: RequestContext(country: Self.br), limit: 3)
    let first = await recommender.recommendations(request, requestID: "first", logger: logger)
    #expect(first.provenance.source == .model)
    var waited = 0
    while queue.completed < 1 && waited < 500 {
      try await Task.sleep(for: .milliseconds(10))
      waited += 1
    }
    let second = await recommender.recommendations(request, requestID: "second", logger: logger)
    #expect(second.provenance.source == .cache)
    #expect(second.provenance.cacheHit)
    #expect(second.provenance.requestID == "second")
    #expect(second.items.map(\.item.id) == first.items.map(\.item.id))
    // A different request (limit) is a different cache entry.
    let other = await recommender.recommendations(
      RecommendationRequest(userID: "u1", context: RequestContext(country: Self.br), limit: 4), requestID: "r", logger: logger)
    #expect(other.provenance.source == .model)
    queue.finish()
    await draining.value
  }

  @Test("a response-cache hit is kept in the near cache: asked again, it is served without the store, even with its breaker open, until forgotten")
  func nearCache() async throws {
    let store = try await Self.storeWithOneCandidate()
    let queue = WriteBehindQueue()
    let draining = Task { await queue.run() }
    let near = NearCache<Slate>(capacity: 16, lifetime: .seconds(600))
    let control = ControlPlane(defaults: FlagCatalog.defaults(), clock: { 0 })
    let recommender = recommender(store: store, codec: TestSlateCodec(), writeBehind: queue, control: control, nearCache: near)
    let request = RecommendationRequest(userID: "u1", context: RequestContext(country: Self.br), limit: 3)
    let computed = await recommender.recommendations(request, requestID: "first", logger: logger)
    #expect(computed.provenance.source == .model)
    #expect(near.counts.entries == 0, "a computed answer is not kept: the other replicas cannot see it yet")
    for _ in 0..<500 where queue.completed < 1 { try await Task.sleep(for: .milliseconds(10)) }
    let fromStore = await recommender.recommendations(request, requestID: "second", logger: logger)
    #expect(fromStore.provenance.source == .cache && near.counts.entries == 1)

    // The store forgets the user behind the near cache's back: the copy still answers, so
    // it read nothing; with the store's breaker forced open, it still answers.
    _ = try await store.deleteUserData("u1", deadline: .now + .seconds(1))
    control.apply(override: .forcedOpen, to: BreakerCatalog.redisRead)
    for id in ["third", "fourth"] {
      let copy = await recommender.recommendations(request, requestID: id, logger: logger)
      #expect(copy.provenance.source == .cache && copy.provenance.cacheHit)
      #expect(copy.provenance.requestID == id)
      #expect(copy.items.map(\.item.id) == computed.items.map(\.item.id))
    }
    #expect(near.counts.hits == 2)
    // Another request shape is another entry: not served from the copy, the breaker refuses.
    let other = await recommender.recommendations(
      RecommendationRequest(userID: "u1", context: RequestContext(country: Self.br), limit: 4), requestID: "r", logger: logger)
    #expect(other.provenance.fallbackReason == .breakerOpen)

    control.apply(override: .auto, to: BreakerCatalog.redisRead)
    near.forget(userID: "u1")
    let afterErasure = await recommender.recommendations(request, requestID: "fifth", logger: logger)
    #expect(afterErasure.provenance.fallbackReason == .noCandidates, "the erased user is cold now")
    queue.finish()
    await draining.value
  }

  @Test("with too little deadline left the store is not called and the reason is DEADLINE")
  func deadline() async {
    let request = RecommendationRequest(userID: "u1", context: RequestContext(country: Self.br), limit: 3)
    let budget = RequestBudget(rpcDeadline: .now + .milliseconds(2))
    let slate = await recommender(store: InMemoryStore()).recommendations(request, budget: budget, requestID: "r", logger: logger)
    #expect(slate.provenance.fallbackReason == .deadline)
    #expect(slate.provenance.fallbackLevel == .countryFile)
  }

  @Test("a reload (baselines and their catalog) is seen by the next request")
  func reload() async {
    let holder = FallbackDataHolder(.empty)
    let catalog = CatalogHolder(files: [:])
    let recommender = Recommender(fallback: holder, catalog: catalog, store: nil, now: { 0 })
    let request = TrendingRequest(context: RequestContext(), limit: 3)
    #expect(await recommender.trending(request, requestID: "r", logger: logger).items.isEmpty)
    holder.replace(with: FallbackLadderTests.data())
    catalog.replaceFiles(FallbackLadderTests.data().catalog)
    #expect(await recommender.trending(request, requestID: "r", logger: logger).items.count == 3)
  }
}
