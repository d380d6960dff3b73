/// Pricing policies (written by the pricing pipeline, no TTL) and users' feature hashes
/// (written by the feature pipeline, 24 h TTL budget) that personalized prices are computed
/// from.
package protocol PricingStore: Sendable {
  /// The product's policy; nil when there is none. Throws when the stored policy does not
  /// parse (a dependency failure, never a guess).
  func pricingPolicy(for productID: String, deadline: ContinuousClock.Instant) async throws -> PricingPolicy?

  /// Creates or replaces a policy (the pricing pipeline's job; here for tests and tools).
  func putPricingPolicy(_ policy: PricingPolicy, deadline: ContinuousClock.Instant) async throws

  /// The user's features (e.g. "segment" → "price_sensitive"); empty when unknown.
  func userFeatures(of userID: String, deadline: ContinuousClock.Instant) async throws -> [String: String]

  /// Replaces a user's features for `ttlSeconds`.
  func putUserFeatures(_ features: [String: String], for userID: String, ttlSeconds: Int, deadline: ContinuousClock.Instant) async throws
}

/// How one product may be priced. Money in integer minor units only.
package struct PricingPolicy: Sendable, Equatable {
  package var productID: String
  /// ISO 4217, upper case.
  package var currency: String
  /// The list price.
  package var basePriceMinor: Int64
  /// What the product costs us.
  package var costMinor: Int64
  /// Lowest margin over cost, in basis points: floor = cost × (1 + minMarginBps/10000).
  package var minMarginBps: Int
  /// Largest discount off the base price, in basis points (0…10000).
  package var maxDiscountBps: Int

  package init(productID: String, currency: String, basePriceMinor: Int64, costMinor: Int64, minMarginBps: Int, maxDiscountBps: Int) {
    self.productID = productID
    self.currency = currency
    self.basePriceMinor = basePriceMinor
    self.costMinor = costMinor
    self.minMarginBps = minMarginBps
    self.maxDiscountBps = maxDiscountBps
  }

  /// A reason the policy cannot be used, or nil when it is sound (positive amounts,
  /// three-letter currency, bounds in range).
  package var problem: String? {
    if currency.utf8.count != 3 || !currency.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
      return "currency \"\(currency)\" is not an upper-case ISO 4217 code"
    }
    if basePriceMinor < 0 { return "base price \(basePriceMinor) is negative" }
    if costMinor < 0 { return "cost \(costMinor) is negative" }
    if minMarginBps < 0 || minMarginBps > 1_000_000 { return "min margin \(minMarginBps) bps is out of 0…1000000" }
    if maxDiscountBps < 0 || maxDiscountBps > 10_000 { return "max discount \(maxDiscountBps) bps is out of 0…10000" }
    return nil
  }
}
