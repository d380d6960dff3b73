import Logging
import Testing

@testable import LineupCore

@Suite("Recommender (baseline slates)")
struct RecommenderTests {
  let recommender = Recommender(
    fallback: FallbackDataHolder(FallbackLadderTests.data()),
    popularity: InMemoryStore(),
    now: { 1_800_000_000 }
  )
  let logger = Logger(label: "test")

  @Test("a recommendation slate is a provenance-stamped fallback of `limit` items")
  func recommendations() async {
    let request = RecommendationRequest(userID: "u1", context: RequestContext(country: CountryCode("BR")), limit: 7)
    let slate = await recommender.recommendations(request, requestID: "req-1", logger: logger)
    #expect(slate.items.count == 7)
    #expect(slate.provenance.source == .fallback)
    #expect(slate.provenance.fallbackReason == .baselineOnly)
    #expect(slate.provenance.fallbackLevel == .countryFile)
    #expect(slate.provenance.requestID == "req-1")
    #expect(slate.provenance.ttlSeconds == 300)
    #expect(slate.provenance.modelVersion == "fallback:test")
    #expect(slate.provenance.computedAt == 1_800_000_000)
  }

  @Test("a reload is seen by the next request")
  func reload() async {
    let holder = FallbackDataHolder(.empty)
    let recommender = Recommender(fallback: holder, popularity: nil, now: { 0 })
    let request = TrendingRequest(context: RequestContext(), limit: 3)
    #expect(await recommender.trending(request, requestID: "r", logger: logger).items.isEmpty)
    holder.replace(with: FallbackLadderTests.data())
    #expect(await recommender.trending(request, requestID: "r", logger: logger).items.count == 3)
  }
}
