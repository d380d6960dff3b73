/// The discount the personalization asks for, from the user's features (written by the
/// feature pipeline, `lineup:features:{u:<user>}`): the pricing model's own `discount_bps`
/// when present, else a share of the policy's cap by `segment`. Unknown segments and users
/// without features ask for none. Whatever it asks, `PriceRules` clamps it to the cap and
/// never lets the price below the floor.
package struct DiscountRequest: Sendable, Equatable {
  /// Share of the cap (basis points of max_discount_bps) each segment asks for. Defaults:
  /// price_sensitive 10000 (the whole cap), new_user 5000, lapsing 5000, loyal 2500.
  package var segmentShareBps: [String: Int] = ["price_sensitive": 10_000, "new_user": 5_000, "lapsing": 5_000, "loyal": 2_500]

  package init() {}

  /// The requested discount in basis points, and the reason to give for it (nil: none asked).
  package func requested(features: [String: String], policy: PricingPolicy) -> (bps: Int, reason: Reason?) {
    if let text = features["discount_bps"], let bps = Int(text) {
      return (bps, Reason(code: .modelDiscount, text: "Personalized discount of \(Self.percent(bps)) from the pricing model", weight: 1))
    }
    if let segment = features["segment"], let share = segmentShareBps[segment] {
      let bps = policy.maxDiscountBps * share / 10_000
      return (bps, Reason(code: .segmentDiscount, text: "Discount of \(Self.percent(bps)) for the \(segment) segment", weight: 1))
    }
    return (0, nil)
  }

  /// Basis points as a percentage with up to two decimals, e.g. 1250 → "12.5%".
  static func percent(_ bps: Int) -> String {
    let whole = bps / 100
    let fraction = abs(bps % 100)
    if fraction == 0 { return "\(whole)%" }
    return fraction % 10 == 0 ? "\(whole).\(fraction / 10)%" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)%"
  }
}

extension ReasonCode {
  /// The pricing model asked for this user's discount.
  package static let modelDiscount = ReasonCode(rawValue: "MODEL_DISCOUNT")
  /// The discount the user's segment gets.
  package static let segmentDiscount = ReasonCode(rawValue: "SEGMENT_DISCOUNT")
  /// The requested discount was above the policy's cap and was cut to it.
  package static let discountCapped = ReasonCode(rawValue: "DISCOUNT_CAPPED")
  /// The discounted price was below the floor (cost × (1 + margin)) and was raised to it.
  package static let floorClamp = ReasonCode(rawValue: "FLOOR_CLAMP")
  /// The policy's base price is below its floor; the floor is charged.
  package static let baseBelowFloor = ReasonCode(rawValue: "BASE_BELOW_FLOOR")
  /// The list price, unchanged: no discount applies.
  package static let listPrice = ReasonCode(rawValue: "LIST_PRICE")
  /// There is no (usable) pricing policy for the product: the caller's list price, unchanged.
  package static let noPolicy = ReasonCode(rawValue: "NO_POLICY")
}
