import LineupCore
import LineupWire
import SwiftProtobuf

// Wire -> domain mapping for what comes back from the wire format: cached responses (the
// response cache stores the wire response) and ingestion batches.

extension Slate {
  /// A slate from a cached wire response. Fields the wire does not carry (an item's
  /// created_at) are not needed to serve it again.
  init(wire: Lineup_V1_GetRecommendationsResponse) {
    self.init(
      items: wire.items.map { item in
        ServedItem(
          item: CatalogItem(id: item.itemID, creatorID: item.creatorID, category: item.category, createdAt: 0, isNewCreator: item.newCreator),
          score: item.score,
          reasons: item.reasons.map { Reason(code: ReasonCode(rawValue: $0.code), text: $0.text, weight: $0.weight) }
        )
      },
      provenance: Provenance(wire: wire.provenance)
    )
  }
}

extension Provenance {
  init(wire: Lineup_V1_Provenance) {
    let source: Source = switch wire.source {
    case .cache: .cache
    case .fallback: .fallback
    default: .model
    }
    let reason: FallbackReason? = switch wire.fallbackReason {
    case .baselineOnly: .baselineOnly
    case .noCandidates: .noCandidates
    case .storeUnavailable: .storeUnavailable
    case .breakerOpen: .breakerOpen
    case .deadline: .deadline
    case .flagOff: .flagOff
    case .shadow: .shadow
    default: nil
    }
    let level: FallbackLevel? = switch wire.fallbackLevel {
    case .countryLive: .countryLive
    case .countryFile: .countryFile
    case .global: .global
    default: nil
    }
    self.init(
      source: source,
      fallbackReason: reason,
      fallbackLevel: level,
      cacheHit: wire.cacheHit,
      modelVersion: wire.modelVersion,
      variant: wire.variant,
      requestID: wire.requestID,
      ttlSeconds: Int(wire.ttlSec),
      guardrails: wire.guardrails.map {
        GuardrailReport(name: $0.name, adjustments: Int($0.adjustments), satisfied: $0.satisfied, detail: $0.detail)
      },
      computedAt: wire.hasComputedAt ? wire.computedAt.timeIntervalSince1970 : 0
    )
  }
}

extension RawInteraction {
  init(_ wire: Lineup_V1_InteractionEvent) {
    self.init(
      eventID: wire.eventID,
      appID: wire.appID,
      userID: wire.userID,
      itemID: wire.itemID,
      type: wire.type.rawValue,
      timestamp: wire.hasTimestamp ? wire.timestamp.timeIntervalSince1970 : nil,
      context: RawRequestContext(wire.context),
      watchSeconds: wire.watchSeconds,
      giftAmount: wire.giftAmount
    )
  }
}

extension RawCatalogItem {
  init(_ wire: Lineup_V1_CatalogItem) {
    self.init(
      itemID: wire.itemID,
      creatorID: wire.creatorID,
      category: wire.category,
      createdAt: wire.hasCreatedAt ? wire.createdAt.timeIntervalSince1970 : nil,
      creatorFirstSeen: wire.hasCreatorFirstSeen ? wire.creatorFirstSeen.timeIntervalSince1970 : nil,
      available: wire.available
    )
  }
}

extension Lineup_V1_EventRejection {
  init(_ rejection: BatchRejection) {
    self.init()
    index = Int32(clamping: rejection.index)
    eventID = rejection.id
    field = rejection.field
    reason = rejection.reason
  }
}

extension Lineup_V1_ItemRejection {
  init(_ rejection: BatchRejection) {
    self.init()
    index = Int32(clamping: rejection.index)
    itemID = rejection.id
    field = rejection.field
    reason = rejection.reason
  }
}

extension Money {
  init(wire: Lineup_V1_Money) {
    self.init(currency: wire.currencyCode, minorUnits: wire.minorUnits)
  }
}

extension PriceQuote {
  /// A quote from a cached wire response.
  init(wire: Lineup_V1_GetPriceResponse) {
    self.init(
      productID: wire.productID, price: Money(wire: wire.price), basePrice: Money(wire: wire.basePrice),
      floorPrice: wire.hasFloorPrice ? Money(wire: wire.floorPrice) : nil, discountBps: Int(wire.discountBps),
      reasons: wire.reasons.map { Reason(code: ReasonCode(rawValue: $0.code), text: $0.text, weight: $0.weight) },
      provenance: Provenance(wire: wire.provenance), validUntil: wire.validUntil.timeIntervalSince1970)
  }
}
