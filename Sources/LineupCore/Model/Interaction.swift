/// One validated interaction event, as RecordInteractions stores it.
package struct Interaction: Sendable, Equatable {
  package var eventID: String
  package var appID: String
  package var userID: String
  package var itemID: String
  package var type: InteractionType
  /// Client clock, seconds since the epoch (fractional).
  package var timestamp: Double
  package var context: RequestContext
  /// Views: seconds watched (>= 0); 0 otherwise.
  package var watchSeconds: Double
  /// Gifts: amount in the app's gift units (>= 0); 0 otherwise.
  package var giftAmount: Int64

  package init(
    eventID: String,
    appID: String = "",
    userID: String,
    itemID: String,
    type: InteractionType,
    timestamp: Double,
    context: RequestContext = RequestContext(),
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

/// The kinds of interaction apps report. Raw values are the wire enum's numbers; 0
/// (unspecified) is not a case, so validation rejects it.
package enum InteractionType: Int, Sendable, CaseIterable {
  case view = 1
  case like = 2
  case gift = 3
  case joinLive = 4
  case battleJoin = 5
  case follow = 6
  case purchase = 7

  /// Stable lower-case name, as written to the events stream.
  package var name: String {
    switch self {
    case .view: "view"
    case .like: "like"
    case .gift: "gift"
    case .joinLive: "join_live"
    case .battleJoin: "battle_join"
    case .follow: "follow"
    case .purchase: "purchase"
    }
  }
}
