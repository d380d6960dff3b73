/// An amount of money in a currency's minor units (cents, yen …). Never floating point.
package struct Money: Sendable, Equatable {
  /// ISO 4217, upper case.
  package var currency: String
  package var minorUnits: Int64

  package init(currency: String, minorUnits: Int64) {
    self.currency = currency
    self.minorUnits = minorUnits
  }
}

/// A validated GetPrice request.
package struct PriceRequest: Sendable, Equatable {
  package var userID: String
  package var context: RequestContext
  package var productID: String
  /// The caller's own list price, quoted back unchanged when Lineup has no usable policy.
  package var listPrice: Money?

  package init(userID: String, context: RequestContext, productID: String, listPrice: Money? = nil) {
    self.userID = userID
    self.context = context
    self.productID = productID
    self.listPrice = listPrice
  }

  /// Validates wire fields; throws INVALID_ARGUMENT naming every bad field.
  package static func validated(
    userID: String, context: RawRequestContext, productID: String, listPrice: Money?, limits: RequestLimits = RequestLimits()
  ) throws(LineupError) -> PriceRequest {
    var validator = RequestValidator(limits: limits)
    let request = PriceRequest(
      userID: validator.requiredID(userID, field: "user_id"),
      context: validator.context(context, field: "context"),
      productID: validator.requiredID(productID, field: "product_id"),
      listPrice: listPrice.map { validator.money($0, field: "list_price") })
    try validator.finish()
    return request
  }
}

/// A personalized price: what to charge, the base and the floor it was computed from, the
/// discount granted, why, and how long it holds.
package struct PriceQuote: Sendable, Equatable {
  package var productID: String
  package var price: Money
  package var basePrice: Money
  /// nil when no policy was used (the caller's list price was quoted back).
  package var floorPrice: Money?
  package var discountBps: Int
  package var reasons: [Reason]
  package var provenance: Provenance
  /// Seconds since the epoch.
  package var validUntil: Double

  package init(
    productID: String, price: Money, basePrice: Money, floorPrice: Money?, discountBps: Int, reasons: [Reason], provenance: Provenance,
    validUntil: Double
  ) {
    self.productID = productID
    self.price = price
    self.basePrice = basePrice
    self.floorPrice = floorPrice
    self.discountBps = discountBps
    self.reasons = reasons
    self.provenance = provenance
    self.validUntil = validUntil
  }
}

/// Turns quotes into the bytes the response cache stores and back (the service edge uses the
/// wire response).
package protocol QuoteCodec: Sendable {
  func encode(_ quote: PriceQuote) -> [UInt8]
  /// nil when the bytes do not decode: treated as a miss.
  func decode(_ bytes: [UInt8]) -> PriceQuote?
}
