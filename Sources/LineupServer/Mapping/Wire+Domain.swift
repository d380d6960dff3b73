import LineupCore
import LineupWire
import SwiftProtobuf

// Proto <-> domain mapping. Kept apart from the services so handlers read as
// "validate, call the domain, map back".

extension RawRequestContext {
  /// The wire context, unvalidated; unknown enum numbers are kept so validation can name them.
  init(_ wire: Lineup_V1_RequestContext) {
    self.init(country: wire.country, platform: wire.platform.rawValue, sessionID: wire.sessionID, appID: wire.appID)
  }
}

extension Lineup_V1_Item {
  init(_ served: ServedItem) {
    self.init()
    itemID = served.item.id
    creatorID = served.item.creatorID
    category = served.item.category
    score = served.score
    newCreator = served.item.isNewCreator
    reasons = served.reasons.map(Lineup_V1_Reason.init)
  }
}

extension Lineup_V1_Reason {
  init(_ reason: Reason) {
    self.init()
    code = reason.code.rawValue
    text = reason.text
    weight = reason.weight
  }
}

extension Lineup_V1_Provenance {
  init(_ provenance: Provenance) {
    self.init()
    source = switch provenance.source {
    case .model: .model
    case .cache: .cache
    case .fallback: .fallback
    }
    fallbackReason = provenance.fallbackReason.map(Self.wire) ?? .unspecified
    fallbackLevel = switch provenance.fallbackLevel {
    case nil: .unspecified
    case .countryLive: .countryLive
    case .countryFile: .countryFile
    case .global: .global
    }
    cacheHit = provenance.cacheHit
    modelVersion = provenance.modelVersion
    variant = provenance.variant
    requestID = provenance.requestID
    ttlSec = Int32(clamping: provenance.ttlSeconds)
    guardrails = provenance.guardrails.map { report in
      .with {
        $0.name = report.name
        $0.adjustments = Int32(clamping: report.adjustments)
        $0.satisfied = report.satisfied
        $0.detail = report.detail
      }
    }
    computedAt = Google_Protobuf_Timestamp(roundingTimeIntervalSince1970: provenance.computedAt, rule: .toNearestOrAwayFromZero)
    if let decision = provenance.flag {
      flag = .with {
        $0.flag = decision.flag
        $0.result = switch decision.result {
        case .on: .on
        case .off: .off
        case .shadow: .shadow
        }
        $0.reason = decision.reason
      }
    }
  }

  private static func wire(_ reason: Provenance.FallbackReason) -> Lineup_V1_FallbackReason {
    switch reason {
    case .baselineOnly: .baselineOnly
    case .noCandidates: .noCandidates
    case .storeUnavailable: .storeUnavailable
    case .breakerOpen: .breakerOpen
    case .deadline: .deadline
    case .flagOff: .flagOff
    case .shadow: .shadow
    }
  }
}

extension Lineup_V1_ExplainRecommendationResponse {
  init(_ explanation: Explanation) {
    self.init()
    itemID = explanation.itemID
    inSlate = explanation.position != nil
    position = Int32(clamping: explanation.position ?? 0)
    factors = explanation.factors.map { factor in
      .with {
        $0.name = factor.name
        $0.value = factor.value
        $0.contribution = factor.contribution
      }
    }
    sources = explanation.sources
    guardrails = explanation.guardrails
    reasons = explanation.reasons.map(Lineup_V1_Reason.init)
    notInSlateReason = explanation.notInSlateReason ?? ""
    provenance = Lineup_V1_Provenance(explanation.provenance)
  }
}

extension Lineup_V1_Money {
  init(_ money: Money) {
    self.init()
    currencyCode = money.currency
    minorUnits = money.minorUnits
  }
}

extension Lineup_V1_GetPriceResponse {
  init(_ quote: PriceQuote) {
    self.init()
    productID = quote.productID
    price = Lineup_V1_Money(quote.price)
    basePrice = Lineup_V1_Money(quote.basePrice)
    if let floor = quote.floorPrice { floorPrice = Lineup_V1_Money(floor) }
    discountBps = Int32(clamping: quote.discountBps)
    reasons = quote.reasons.map(Lineup_V1_Reason.init)
    provenance = Lineup_V1_Provenance(quote.provenance)
    validUntil = Google_Protobuf_Timestamp(timeIntervalSince1970: quote.validUntil)
  }
}
