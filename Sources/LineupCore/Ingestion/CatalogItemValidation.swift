/// A catalog item as it arrives on the wire (UpsertItems), before validation.
package struct RawCatalogItem: Sendable, Equatable {
  package var itemID: String
  package var creatorID: String
  package var category: String
  /// Seconds since the epoch; nil when not sent.
  package var createdAt: Double?
  package var creatorFirstSeen: Double?
  package var available: Bool

  package init(itemID: String, creatorID: String, category: String, createdAt: Double?, creatorFirstSeen: Double? = nil, available: Bool) {
    self.itemID = itemID
    self.creatorID = creatorID
    self.category = category
    self.createdAt = createdAt
    self.creatorFirstSeen = creatorFirstSeen
    self.available = available
  }
}

/// Validates an UpsertItems batch item by item: the batch must hold 1…`maxBatch` items
/// (else INVALID_ARGUMENT); each bad item gets one rejection per bad field and is not
/// stored; the good ones go on.
package struct CatalogItemValidation: Sendable {
  /// Default 1000, as the contract says.
  package var maxBatch = 1_000
  /// Creation times further in the future than this are refused (a clock or unit bug).
  package var maxClockSkewSeconds = 300.0
  package var limits = RequestLimits()

  package init() {}

  package func validate(_ batch: [RawCatalogItem], now: Double) throws(LineupError) -> (valid: [CatalogItem], rejections: [BatchRejection]) {
    guard (1...maxBatch).contains(batch.count) else {
      throw .invalidArgument([FieldViolation(field: "items", description: "must hold 1…\(maxBatch) items, got \(batch.count)")])
    }
    var valid: [CatalogItem] = []
    var rejections: [BatchRejection] = []
    var seen: Set<String> = []
    for (index, raw) in batch.enumerated() {
      var validator = RequestValidator(limits: limits)
      let path = "items[\(index)]"
      validator.requiredID(raw.itemID, field: "\(path).item_id")
      validator.requiredID(raw.creatorID, field: "\(path).creator_id")
      if raw.category.isEmpty {
        validator.fail("\(path).category", "must not be empty")
      } else {
        _ = validator.category(raw.category, field: "\(path).category")
      }
      timestamp(raw.createdAt, required: true, field: "\(path).created_at", now: now, into: &validator)
      timestamp(raw.creatorFirstSeen, required: false, field: "\(path).creator_first_seen", now: now, into: &validator)
      if validator.violations.isEmpty, !seen.insert(raw.itemID).inserted {
        validator.fail("\(path).item_id", "duplicate of an earlier item in this request")
      }
      guard validator.violations.isEmpty else {
        rejections += validator.violations.map { BatchRejection(index: index, id: raw.itemID, field: $0.field, reason: $0.description) }
        continue
      }
      valid.append(CatalogItem(
        id: raw.itemID, creatorID: raw.creatorID, category: raw.category, createdAt: Int64(raw.createdAt!),
        isNewCreator: false, creatorFirstSeen: raw.creatorFirstSeen.map { Int64($0) }, isAvailable: raw.available
      ))
    }
    return (valid, rejections)
  }

  private func timestamp(_ value: Double?, required: Bool, field: String, now: Double, into validator: inout RequestValidator) {
    guard let value else {
      if required { validator.fail(field, "must be set") }
      return
    }
    if !value.isFinite || value <= 0 {
      validator.fail(field, "must be a time after 1970-01-01")
    } else if value > now + maxClockSkewSeconds {
      validator.fail(field, "is \(Int(value - now)) s in the future")
    }
  }
}
