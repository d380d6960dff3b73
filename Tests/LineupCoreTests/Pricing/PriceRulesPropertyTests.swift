import Logging
import PropertyBased
import Testing

@testable import LineupCore

@Suite("Pricing: a price is never below its floor, a discount never above its cap")
struct PriceRulesPropertyTests {
  static func policy(base: Int64, cost: Int64, margin: Int, maxDiscount: Int) -> PricingPolicy {
    PricingPolicy(productID: "p", currency: "BRL", basePriceMinor: base, costMinor: cost, minMarginBps: margin, maxDiscountBps: maxDiscount)
  }

  @Test("never-loss: for any policy and any requested discount, price ≥ ⌈cost × (1 + margin)⌉, discount within [0, cap], price ≤ max(base, floor)")
  func neverLoss() async {
    await propertyCheck(
      count: 1_000, input: Gen.int(in: 0...50_000_000), Gen.int(in: 0...50_000_000), Gen.int(in: 0...30_000), Gen.int(in: 0...10_000),
      Gen.int(in: -20_000...40_000)
    ) { base, cost, margin, maxDiscount, requested in
      let policy = Self.policy(base: Int64(base), cost: Int64(cost), margin: margin, maxDiscount: maxDiscount)
      let outcome = PriceRules.quote(policy, requestedDiscountBps: requested)
      // The floor is cost × (1 + margin) rounded up: never below it, and less than one minor unit above.
      let exact = Int128(cost) * Int128(10_000 + margin)
      #expect(Int128(outcome.floorMinor) * 10_000 >= exact)
      #expect(Int128(outcome.floorMinor - 1) * 10_000 < exact)
      #expect(outcome.priceMinor >= outcome.floorMinor)
      #expect((0...maxDiscount).contains(outcome.discountBps))
      #expect(outcome.priceMinor <= max(Int64(base), outcome.floorMinor))
      let granted = min(max(requested, 0), maxDiscount)
      let discounted = (Int128(base) * Int128(10_000 - granted) + 9_999) / 10_000
      if Int128(outcome.floorMinor) <= discounted {
        #expect(Int128(outcome.priceMinor) == discounted)
        #expect(!outcome.floorClamped)
      } else {
        #expect(outcome.priceMinor == outcome.floorMinor)
        #expect(outcome.floorClamped)
      }
      #expect(outcome.discountClamped == (granted != requested))
    }
  }

  @Test("worked examples of the rounding rule: divisions round up to a whole minor unit")
  func examples() {
    // 15% off 1999: 1699.15 → 1700; floor 1000 × 1.15 = 1150.
    let policy = Self.policy(base: 1_999, cost: 1_000, margin: 1_500, maxDiscount: 2_000)
    let fifteen = PriceRules.quote(policy, requestedDiscountBps: 1_500)
    #expect(fifteen.priceMinor == 1_700 && fifteen.floorMinor == 1_150 && fifteen.discountBps == 1_495)
    // 90% asked, capped at 20%: 1599.2 → 1600.
    #expect(PriceRules.quote(policy, requestedDiscountBps: 9_000).priceMinor == 1_600)
    // Cost 999 at 15% margin: 1148.85 → 1149, never 1148.
    #expect(PriceRules.floor(of: Self.policy(base: 2_000, cost: 999, margin: 1_500, maxDiscount: 0)) == 1_149)
    // A deep discount meets the floor.
    let deep = PriceRules.quote(Self.policy(base: 1_200, cost: 1_000, margin: 1_500, maxDiscount: 5_000), requestedDiscountBps: 5_000)
    #expect(deep.priceMinor == 1_150 && deep.floorClamped && deep.discountBps == 416)
    // A base below the floor: the floor is charged.
    let under = PriceRules.quote(Self.policy(base: 900, cost: 1_000, margin: 0, maxDiscount: 1_000), requestedDiscountBps: 0)
    #expect(under.priceMinor == 1_000 && under.baseBelowFloor && under.discountBps == 0)
  }
}

@Suite("PriceQuoter: segment and model discounts, clamps counted, no policy never guessed, quotes cached")
struct PriceQuoterTests {
  let logger = Logger(label: "test")
  static let soon: @Sendable () -> ContinuousClock.Instant = { .now + .seconds(2) }

  func quoter(_ store: InMemoryStore, writeBehind: WriteBehindQueue? = nil, codec: (any QuoteCodec)? = nil) -> PriceQuoter {
    PriceQuoter(store: store, codec: codec, writeBehind: writeBehind, now: { 1_800_000_000 })
  }

  func request(_ user: String, product: String = "gift-pack", list: Money? = nil) -> PriceRequest {
    PriceRequest(userID: user, context: RequestContext(country: CountryCode("BR")), productID: product, listPrice: list)
  }

  @Test("a price-sensitive user gets the whole cap; a model discount above the cap is cut to it and says so; the floor holds and is counted")
  func discounts() async throws {
    let store = InMemoryStore()
    try await store.putPricingPolicy(
      PriceRulesPropertyTests.policy(base: 2_000, cost: 1_000, margin: 1_500, maxDiscount: 2_000).renamed("gift-pack"), deadline: Self.soon())
    try await store.putUserFeatures(["segment": "price_sensitive"], for: "sensitive", ttlSeconds: 60, deadline: Self.soon())
    try await store.putUserFeatures(["discount_bps": "5000"], for: "bargain", ttlSeconds: 60, deadline: Self.soon())
    let quoter = quoter(store)

    let sensitive = try await quoter.quote(request("sensitive"), requestID: "r", logger: logger)
    #expect(sensitive.price == Money(currency: "BRL", minorUnits: 1_600))
    #expect(sensitive.discountBps == 2_000)
    #expect(sensitive.reasons.map(\.code) == [.segmentDiscount])
    #expect(sensitive.provenance.source == .model)
    #expect(sensitive.validUntil == 1_800_000_300)

    let bargain = try await quoter.quote(request("bargain"), requestID: "r", logger: logger)
    #expect(bargain.price.minorUnits == 1_600)
    #expect(bargain.reasons.map(\.code) == [.modelDiscount, .discountCapped])

    let stranger = try await quoter.quote(request("nobody"), requestID: "r", logger: logger)
    #expect(stranger.price.minorUnits == 2_000 && stranger.reasons.map(\.code) == [.listPrice])
    #expect(quoter.floorClamps == 0)

    // A cap deeper than the margin: the floor wins, and the clamp is counted.
    try await store.putPricingPolicy(
      PriceRulesPropertyTests.policy(base: 1_200, cost: 1_000, margin: 1_500, maxDiscount: 5_000).renamed("thin"), deadline: Self.soon())
    let thin = try await quoter.quote(request("sensitive", product: "thin"), requestID: "r", logger: logger)
    #expect(thin.price.minorUnits == 1_150 && thin.floorPrice?.minorUnits == 1_150)
    #expect(thin.reasons.map(\.code) == [.segmentDiscount, .floorClamp])
    #expect(quoter.floorClamps == 1)
  }

  @Test("a cached quote is served for its TTL, but never once a raised cost puts it below the new floor")
  func cachedQuotesKeepTheFloor() async throws {
    let store = InMemoryStore()
    let queue = WriteBehindQueue()
    let draining = Task { await queue.run() }
    let quoter = quoter(store, writeBehind: queue, codec: EchoQuoteCodec())
    try await store.putPricingPolicy(
      PriceRulesPropertyTests.policy(base: 2_000, cost: 1_000, margin: 1_500, maxDiscount: 2_000).renamed("gift-pack"), deadline: Self.soon())
    try await store.putUserFeatures(["segment": "price_sensitive"], for: "u", ttlSeconds: 60, deadline: Self.soon())
    let first = try await quoter.quote(request("u"), requestID: "r1", logger: logger)
    while queue.completed < 1 { try await Task.sleep(for: .milliseconds(5)) }
    let cached = try await quoter.quote(request("u"), requestID: "r2", logger: logger)
    #expect(cached.provenance.source == .cache && cached.price == first.price && cached.provenance.requestID == "r2")
    // Cost up: the floor (1,500 × 1.15 = 1,725) is above the cached 1,600, so it is recomputed.
    try await store.putPricingPolicy(
      PriceRulesPropertyTests.policy(base: 2_000, cost: 1_500, margin: 1_500, maxDiscount: 2_000).renamed("gift-pack"), deadline: Self.soon())
    let fresh = try await quoter.quote(request("u"), requestID: "r3", logger: logger)
    #expect(fresh.provenance.source == .model && fresh.price.minorUnits == 1_725)
    queue.finish()
    await draining.value
  }

  @Test("no policy: the caller's list price, unchanged with the reason; without one, NOT_FOUND naming the product")
  func noPolicy() async throws {
    let quoter = quoter(InMemoryStore())
    let list = Money(currency: "USD", minorUnits: 499)
    let quoted = try await quoter.quote(request("u", product: "unknown", list: list), requestID: "r", logger: logger)
    #expect(quoted.price == list && quoted.basePrice == list && quoted.floorPrice == nil && quoted.discountBps == 0)
    #expect(quoted.reasons.map(\.code) == [.noPolicy])
    #expect(quoted.provenance.source == .fallback)
    await #expect { try await quoter.quote(request("u", product: "unknown"), requestID: "r", logger: logger) } throws: { error in
      (error as? LineupError)?.code == .notFound && (error as? LineupError)?.message.contains("unknown") == true
    }
  }
}

extension PricingPolicy {
  fileprivate func renamed(_ productID: String) -> PricingPolicy {
    var policy = self
    policy.productID = productID
    return policy
  }
}

/// Keeps quotes in the cache as a line of text (enough to check the cache path without the
/// wire format, which the service edge tests).
private struct EchoQuoteCodec: QuoteCodec {
  func encode(_ quote: PriceQuote) -> [UInt8] {
    Array("\(quote.productID)|\(quote.price.currency)|\(quote.price.minorUnits)|\(quote.basePrice.minorUnits)|\(quote.discountBps)".utf8)
  }

  func decode(_ bytes: [UInt8]) -> PriceQuote? {
    let parts = String(decoding: bytes, as: UTF8.self).split(separator: "|").map(String.init)
    guard parts.count == 5, let price = Int64(parts[2]), let base = Int64(parts[3]), let discount = Int(parts[4]) else { return nil }
    return PriceQuote(
      productID: parts[0], price: Money(currency: parts[1], minorUnits: price), basePrice: Money(currency: parts[1], minorUnits: base),
      floorPrice: nil, discountBps: discount, reasons: [],
      provenance: Provenance(source: .model, modelVersion: "cached", requestID: "old", ttlSeconds: 300, computedAt: 0), validUntil: 0)
  }
}
