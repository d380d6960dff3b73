/// The arithmetic of a personalized price, in integer minor units only (never floating point
/// money), with one rounding rule: every division rounds **up** to a whole minor unit, so the
/// floor is never rounded below cost × (1 + margin) and a discount never takes off more than
/// it says. Intermediate products use 128-bit integers, so no policy value can overflow.
///
/// floor = ⌈cost × (10000 + min_margin_bps) / 10000⌉
/// discount = clamp(requested, 0, max_discount_bps)
/// price = max(floor, ⌈base × (10000 − discount) / 10000⌉)
///
/// When the floor wins, the reported discount is what the price really is off base
/// (⌊(base − price) × 10000 / base⌋, never more than was granted), and when the base itself
/// is below the floor the floor is charged: finance's promise is the floor, not the list.
package enum PriceRules {
  /// What one computation decided.
  package struct Outcome: Sendable, Equatable {
    package var priceMinor: Int64
    package var floorMinor: Int64
    /// The discount actually given off base, in basis points (0…max_discount_bps).
    package var discountBps: Int
    /// The requested discount was above the cap (or negative) and was clamped into range.
    package var discountClamped: Bool
    /// The discounted price was below the floor and was raised to it.
    package var floorClamped: Bool
    /// The policy's base price is below its own floor; the floor is charged.
    package var baseBelowFloor: Bool
  }

  /// ⌈cost × (10000 + margin) / 10000⌉.
  package static func floor(of policy: PricingPolicy) -> Int64 {
    clampToInt64(ceilDiv(Int128(policy.costMinor) * Int128(10_000 + policy.minMarginBps), 10_000))
  }

  package static func quote(_ policy: PricingPolicy, requestedDiscountBps requested: Int) -> Outcome {
    let floor = floor(of: policy)
    let granted = min(max(requested, 0), policy.maxDiscountBps)
    let discounted = clampToInt64(ceilDiv(Int128(policy.basePriceMinor) * Int128(10_000 - granted), 10_000))
    let price = max(floor, discounted)
    let base = policy.basePriceMinor
    let actual = base > 0 && price < base ? Int((Int128(base - price) * 10_000) / Int128(base)) : 0
    return Outcome(
      priceMinor: price, floorMinor: floor, discountBps: min(actual, granted), discountClamped: granted != requested,
      floorClamped: discounted < floor, baseBelowFloor: base < floor)
  }

  private static func ceilDiv(_ numerator: Int128, _ denominator: Int128) -> Int128 {
    (numerator + denominator - 1) / denominator
  }

  private static func clampToInt64(_ value: Int128) -> Int64 {
    value > Int128(Int64.max) ? Int64.max : Int64(value)
  }
}
