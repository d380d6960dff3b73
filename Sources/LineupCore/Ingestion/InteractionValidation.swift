/// An interaction event as it arrives on the wire, before validation. The type is the raw
/// enum number and the timestamp may be absent, so that both can be rejected by name.
package struct RawInteraction: Sendable, Equatable {
  package var eventID: String
  package var appID: String
  package var userID: String
  package var itemID: String
  package var type: Int
  /// Seconds since the epoch; nil when the field was not sent.
  package var timestamp: Double?
  package var context: RawRequestContext
  package var watchSeconds: Double
  package var giftAmount: Int64

  package init(
    eventID: String,
    appID: String = "",
    userID: String,
    itemID: String,
    type: Int,
    timestamp: Double?,
    context: RawRequestContext = RawRequestContext(),
    watchSeconds: Double = 0,
    giftAmount: Int64 = 0
  ) {
    self.eventID = eventID
    self.appID = appID
    self.userID = userID
    self.itemID = itemID
    self.type = type
    self.timestamp = timestamp
    self.context = context
    self.watchSeconds = watchSeconds
    self.giftAmount = giftAmount
  }
}

/// Why one entry of a batch (an event, a catalog item) was rejected: its index, its id,
/// the offending field's path and what to fix.
package struct BatchRejection: Sendable, Equatable {
  package var index: Int
  package var id: String
  package var field: String
  package var reason: String

  package init(index: Int, id: String, field: String, reason: String) {
    self.index = index
    self.id = id
    self.field = field
    self.reason = reason
  }
}

/// Validates a RecordInteractions batch event by event: the batch as a whole must hold
/// 1…`maxBatch` events (else INVALID_ARGUMENT for the request); each bad event is rejected
/// on its own, with one rejection per bad field, and the good ones go on.
package struct InteractionValidation: Sendable {
  /// Most events in one request. Default 1000, as the contract says.
  package var maxBatch = 1_000
  /// How far in the future a client clock may be. Default 5 minutes.
  package var maxClockSkewSeconds = 300.0
  package var limits = RequestLimits()

  package init() {}

  /// Valid events (with their index in the request) and per-event rejections.
  package func validate(
    _ batch: [RawInteraction],
    now: Double
  ) throws(LineupError) -> (valid: [(index: Int, event: Interaction)], rejections: [BatchRejection]) {
    guard (1...maxBatch).contains(batch.count) else {
      throw .invalidArgument([
        FieldViolation(field: "events", description: "must hold 1…\(maxBatch) events, got \(batch.count)")
      ])
    }
    var valid: [(Int, Interaction)] = []
    var rejections: [BatchRejection] = []
    valid.reserveCapacity(batch.count)
    for (index, raw) in batch.enumerated() {
      var validator = RequestValidator(limits: limits)
      let path = "events[\(index)]"
      validator.requiredID(raw.eventID, field: "\(path).event_id")
      validator.optionalID(raw.appID, field: "\(path).app_id")
      validator.requiredID(raw.userID, field: "\(path).user_id")
      validator.requiredID(raw.itemID, field: "\(path).item_id")
      let type: InteractionType?
      if raw.type == 0 {
        validator.fail("\(path).type", "must be set (INTERACTION_TYPE_UNSPECIFIED is not allowed)")
        type = nil
      } else {
        type = validator.knownEnum(raw.type, as: InteractionType.self, field: "\(path).type")
      }
      if let timestamp = raw.timestamp {
        if !timestamp.isFinite || timestamp <= 0 {
          validator.fail("\(path).timestamp", "must be a time after 1970-01-01")
        } else if timestamp > now + maxClockSkewSeconds {
          validator.fail("\(path).timestamp", "is \(Int(timestamp - now)) s in the future; at most \(Int(maxClockSkewSeconds)) s allowed")
        }
      } else {
        validator.fail("\(path).timestamp", "must be set")
      }
      let context = validator.context(raw.context, field: "\(path).context")
      if !raw.watchSeconds.isFinite || raw.watchSeconds < 0 {
        validator.fail("\(path).watch_seconds", "must be a finite number >= 0, got \(raw.watchSeconds)")
      }
      if raw.giftAmount < 0 {
        validator.fail("\(path).gift_amount", "must be >= 0, got \(raw.giftAmount)")
      }
      guard validator.violations.isEmpty else {
        // One rejection per bad field, so the caller fixes everything in one go.
        rejections += validator.violations.map {
          BatchRejection(index: index, id: raw.eventID, field: $0.field, reason: $0.description)
        }
        continue
      }
      valid.append((index, Interaction(
        eventID: raw.eventID, appID: raw.appID, userID: raw.userID, itemID: raw.itemID, type: type!,
        timestamp: raw.timestamp!, context: context, watchSeconds: raw.watchSeconds, giftAmount: raw.giftAmount
      )))
    }
    return (valid, rejections)
  }
}
