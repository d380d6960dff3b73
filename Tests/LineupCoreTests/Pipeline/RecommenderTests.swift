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

  func recommender(store: (any LineupStore)?, codec: (any SlateCodec)? = nil, writeBehind: WriteBehindQueue? = nil) -> Recommender {
    let data = FallbackLadderTests.data()
    return Recommender(
      fallback: FallbackDataHolder(data), catalog: CatalogHolder(files: data.catalog), store: store,
      codec: codec, writeBehind: writeBehind, now: { 1_800_000_000 })
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

  @Test("model candidates become a MODEL slate: best first, excluded and unknown items dropped, filled to the limit")
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
    #expect(slate.items.prefix(2).map(\.item.id) == ["it-5", "it-6"])
    #expect(slate.items.prefix(2).map(\.score) == [1, 0.5])
    #expect(slate.items.prefix(2).allSatisfy { $0.reasons.first?.code == .modelScore })
    // Filled from the BR baseline, skipping what is already in or excluded.
    #expect(slate.items.suffix(2).map(\.item.id) == ["it-0", "it-1"])
    #expect(!slate.items.contains { $0.item.id == "it-7" })
  }

  @Test("a MODEL slate is cached write-behind and the next request is a CACHE hit with its own request id")
  func cacheHit() async throws {
    let store = InMemoryStore()
    try await store.putCandidates(
      ModelCandidates(modelVersion: "m-1", items: [PopularityEntry(itemID: "it-9", score: 1)]), for: "u1", ttlSeconds: nil,
      deadline: .now + .seconds(1))
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
