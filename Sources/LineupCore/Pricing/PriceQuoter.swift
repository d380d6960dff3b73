package import Logging
import Synchronization

/// The domain entry point for GetPrice. One round trip reads the product's policy, the user's
/// features and the cached quote together; a cached quote is served as CACHE (a user sees
/// one price for the quote's TTL), otherwise `DiscountRequest` and `PriceRules` compute it —
/// never below the floor — and it is cached write-behind. Without a usable policy (none,
/// unparseable, or the store down) the caller's list price is quoted back unchanged with the
/// reason; without one either, the answer is an error, never a guessed price.
///
/// The `pricing` flag governs personalization: OFF quotes the policy's base price, no
/// discount, with the decision in provenance; SHADOW quotes the same base price and computes
/// the personalized quote off the critical path, recording how often the two agree, the
/// price ratio and the extra time. The policy read sits behind the `pricing.policy` breaker:
/// open → the list price at once.
package final class PriceQuoter: Sendable {
  private let store: any PricingStore & ResponseCacheStore
  private let codec: (any QuoteCodec)?
  private let writeBehind: WriteBehindQueue?
  private let ttls: TTLBudgets
  private let discounts: DiscountRequest
  private let now: @Sendable () -> Double
  private let control: ControlPlane?
  private let clamps = Atomic<Int>(0)

  package init(
    store: any PricingStore & ResponseCacheStore,
    codec: (any QuoteCodec)? = nil,
    writeBehind: WriteBehindQueue? = nil,
    ttls: TTLBudgets = TTLBudgets(),
    discounts: DiscountRequest = DiscountRequest(),
    control: ControlPlane? = nil,
    now: @escaping @Sendable () -> Double
  ) {
    self.control = control
    self.store = store
    self.codec = codec
    self.writeBehind = writeBehind
    self.ttls = ttls
    self.discounts = discounts
    self.now = now
  }

  /// Quotes whose computed price was raised to the floor, since start (a metric).
  package var floorClamps: Int { clamps.load(ordering: .relaxed) }

  package func quote(_ request: PriceRequest, budget: RequestBudget = RequestBudget(), requestID: String, logger: Logger) async throws(LineupError)
    -> PriceQuote
  {
    let decision = control?.evaluate(FlagCatalog.pricing, userID: request.userID, country: request.context.country?.value ?? "")
    var quote = try await quote(request, mode: decision?.result ?? .on, budget: budget, requestID: requestID, logger: logger)
    quote.provenance.flag = decision
    quote.provenance.variant = decision?.variant ?? ""
    return quote
  }

  /// - Parameter mode: the `pricing` flag's result: ON personalizes; OFF and SHADOW quote the
  ///   base price (SHADOW also starts the comparison).
  private func quote(
    _ request: PriceRequest, mode: FlagResult, budget: RequestBudget, requestID: String, logger: Logger
  ) async throws(LineupError) -> PriceQuote {
    let personalized = mode == .on
    guard let deadline = budget.storeDeadline() else {
      return try listPriceQuote(request, reason: .deadline, why: "too little of the deadline was left to read the pricing policy", requestID: requestID)
    }
    // Refused before any read is sent: an open breaker means the store is not asked at all.
    let breaker = control?.breaker(BreakerCatalog.pricingPolicy)
    let permit = breaker?.acquire()
    if breaker != nil && permit == nil {
      return try listPriceQuote(
        request, reason: .breakerOpen, why: "the pricing policy store is failing (breaker open)", requestID: requestID)
    }
    let key = ResponseCacheKey.price(userID: request.userID, productID: request.productID, fingerprint: request.context.country?.value ?? "-")
    let store = self.store
    // The cached quote and the user's features matter only to a personalized quote: with the
    // flag off they are not read.
    async let cachedRead = codec == nil || !personalized ? nil : try? store.cachedResponse(for: key, deadline: deadline)
    async let featuresRead = personalized ? try? store.userFeatures(of: request.userID, deadline: deadline) : nil
    let policy: PricingPolicy?
    do {
      policy = try await store.pricingPolicy(for: request.productID, deadline: deadline)
      if let breaker, let permit { breaker.record(permit, failed: false) }
    } catch {
      if let breaker, let permit { breaker.record(permit, failed: true) }
      logger.warning("pricing policy read failed; quoting the list price", metadata: ["product": "\(request.productID)", "error": "\(error)"])
      return try listPriceQuote(request, reason: .storeUnavailable, why: "the pricing policy could not be read", requestID: requestID)
    }
    guard personalized else {
      guard let policy else {
        return try listPriceQuote(request, reason: .noCandidates, why: "there is no pricing policy for this product", requestID: requestID)
      }
      // Neither served from the cache nor cached: the cache holds personalized quotes, and
      // this one must not outlive the flag. The floor still holds (PriceRules).
      var base = compute(policy, features: [:], requestedDiscountBps: 0, requestID: requestID)
      base.provenance.source = .fallback
      base.provenance.fallbackReason = mode == .shadow ? .shadow : .flagOff
      let off = Reason(
        code: .listPrice, text: mode == .shadow ? "Base price: personalized pricing is in shadow mode" : "Base price: personalized pricing is off",
        weight: 1)
      base.reasons = base.reasons.map(\.code) == [.listPrice] ? [off] : base.reasons + [off]
      if mode == .shadow { shadowQuote(request, policy: policy, served: base, budget: budget, logger: logger) }
      return base
    }
    // A cached quote stands only while it still honours the policy read with it: a cost or
    // margin raised since must not let an old quote sell below the new floor.
    if let bytes = await cachedRead, let codec, var cached = codec.decode(bytes),
      policy.map({ cached.price.currency == $0.currency && cached.price.minorUnits >= PriceRules.floor(of: $0) }) ?? true
    {
      cached.provenance.source = .cache
      cached.provenance.cacheHit = true
      cached.provenance.requestID = requestID
      return cached
    }
    // Reads not awaited on an early return are cancelled when the scope ends.
    guard let policy else {
      return try listPriceQuote(request, reason: .noCandidates, why: "there is no pricing policy for this product", requestID: requestID)
    }
    let quote = compute(policy, features: await featuresRead ?? [:], requestID: requestID)
    if let codec, let writeBehind {
      let ttl = ttls.jittered(ttls.prices)
      writeBehind.submit {
        do {
          try await store.cacheResponse(codec.encode(quote), for: key, ttlSeconds: ttl, deadline: .now + .seconds(1))
        } catch {
          logger.debug("quote cache fill failed", metadata: ["error": "\(error)"])
        }
      }
    }
    return quote
  }

  /// Shadow mode: the personalized quote, computed in the background from the policy the
  /// served quote already read and the user's features, and compared with the served price.
  /// Nothing is cached and no clamp is counted: the shadow quote is never anyone's price. Its
  /// extra time is the features read and the computation: what personalizing adds to the
  /// policy read both quotes share.
  private func shadowQuote(_ request: PriceRequest, policy: PricingPolicy, served: PriceQuote, budget: RequestBudget, logger: Logger) {
    guard let control else { return }
    let store = self.store
    control.startShadowRun {
      let started = ContinuousClock.now
      let deadline = budget.detachedStoreDeadline()
      let features: [String: String]
      do {
        features = try await store.userFeatures(of: request.userID, deadline: deadline)
      } catch {
        logger.debug("shadow quote: user features read failed", metadata: ["error": "\(error)"])
        return
      }
      let shadow = self.compute(policy, features: features, requestID: "", countsClamps: false)
      let comparison = ShadowComparison(
        overlap: shadow.price == served.price ? 1 : 0, extraSeconds: (ContinuousClock.now - started) / .seconds(1),
        priceRatio: served.price.minorUnits > 0 ? Double(shadow.price.minorUnits) / Double(served.price.minorUnits) : 1)
      control.recordShadow(comparison, flag: FlagCatalog.pricing)
      logger.debug(
        "shadow quote", metadata: ["served_minor": "\(served.price.minorUnits)", "personalized_minor": "\(shadow.price.minorUnits)"])
    }
  }

  /// The quote for `policy` and the user's features.
  ///
  /// - Parameter countsClamps: false for a shadow quote, which is never served.
  package func compute(
    _ policy: PricingPolicy, features: [String: String], requestedDiscountBps: Int? = nil, requestID: String, countsClamps: Bool = true
  ) -> PriceQuote {
    var (requested, discountReason) = discounts.requested(features: features, policy: policy)
    if let requestedDiscountBps { (requested, discountReason) = (requestedDiscountBps, nil) }
    let outcome = PriceRules.quote(policy, requestedDiscountBps: requested)
    var reasons: [Reason] = []
    if let discountReason, outcome.discountBps > 0 { reasons.append(discountReason) }
    if outcome.discountClamped && requested > policy.maxDiscountBps {
      reasons.append(Reason(code: .discountCapped, text: "Discount capped at \(DiscountRequest.percent(policy.maxDiscountBps))", weight: 1))
    }
    if outcome.floorClamped || outcome.baseBelowFloor {
      if countsClamps { clamps.add(1, ordering: .relaxed) }
      reasons.append(
        outcome.baseBelowFloor
          ? Reason(code: .baseBelowFloor, text: "The list price is below the lowest price allowed; charged at the floor", weight: 1)
          : Reason(code: .floorClamp, text: "Held at the lowest price allowed for this product", weight: 1))
    }
    if reasons.isEmpty { reasons.append(Reason(code: .listPrice, text: "List price: no personalized discount applies", weight: 1)) }
    let currency = policy.currency
    return PriceQuote(
      productID: policy.productID, price: Money(currency: currency, minorUnits: outcome.priceMinor),
      basePrice: Money(currency: currency, minorUnits: policy.basePriceMinor), floorPrice: Money(currency: currency, minorUnits: outcome.floorMinor),
      discountBps: outcome.discountBps, reasons: reasons,
      provenance: Provenance(source: .model, modelVersion: "pricing-rules", requestID: requestID, ttlSeconds: ttls.prices, computedAt: now()),
      validUntil: now() + Double(ttls.prices))
  }

  /// The caller's list price, unchanged, or an error naming what is missing.
  private func listPriceQuote(_ request: PriceRequest, reason: Provenance.FallbackReason, why: String, requestID: String) throws(LineupError)
    -> PriceQuote
  {
    guard let list = request.listPrice else {
      let code: LineupError.Code = reason == .noCandidates ? .notFound : .unavailable
      throw LineupError(
        code: code,
        message: "no price for product_id \"\(request.productID)\": \(why), and the request has no list_price to quote back")
    }
    return PriceQuote(
      productID: request.productID, price: list, basePrice: list, floorPrice: nil, discountBps: 0,
      reasons: [Reason(code: .noPolicy, text: "List price as sent: \(why)", weight: 1)],
      provenance: Provenance(
        source: .fallback, fallbackReason: reason, modelVersion: "list-price", requestID: requestID, ttlSeconds: ttls.prices, computedAt: now()),
      validUntil: now() + Double(ttls.prices))
  }
}
