/// Where RecordInteractions keeps events and the signals derived from them. Recording is a
/// three-step protocol so that an event is never acknowledged and then lost, and a retried
/// batch counts once:
///
/// 1. `claim` marks each event id as pending (with a short expiry) unless it is already
///    pending or done, and reads each user's recent items (for co-visitation);
/// 2. `apply` writes the plan derived from the newly claimed events;
/// 3. `complete` marks them done (remembered for the de-duplication window).
///
/// If step 2 or 3 fails, the recorder `release`s its claims and answers UNAVAILABLE; if even
/// that fails, the pending marks expire on their own and the client's retry records them.
/// A crash between `apply` and `complete` can make a retry apply an event twice: delivery is
/// at least once for signals, exactly once for acknowledgements.
package protocol InteractionStore: Sendable {
  /// Claims each event's id; one outcome per event, plus each user's most recent items
  /// (newest first, at most `settings.coVisitationWindow`) before this batch.
  func claim(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws -> ClaimResult

  /// Writes a plan: popularity, recently seen, co-visitation, creators' first-seen, the
  /// events stream, feed-cache invalidation.
  func apply(_ plan: IngestionPlan, settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws

  /// Marks claimed events done, remembered for `settings.dedupeTTL`.
  func complete(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws

  /// Drops claims that were not completed, so a retry can record the events at once.
  func release(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws

  /// A user's recently-seen items, newest first.
  func recentItems(of userID: String, limit: Int, deadline: ContinuousClock.Instant) async throws -> [String]

  /// For each of `itemIDs`, the items most often visited after it by the same users, highest
  /// count first, counts as scores (an item nobody visited after has an empty list). Read
  /// together because a request reads several seeds at once: one round trip, not one each.
  /// An item whose counts cannot be read (a bad value in the store) is left out of the
  /// answer, so the caller sees which seeds failed; a read that fails as a whole (the store
  /// unreachable, the deadline) throws.
  func coVisited(withEach itemIDs: [String], limit: Int, deadline: ContinuousClock.Instant) async throws -> [String: [PopularityEntry]]

  /// When each creator was first seen, for those the store knows.
  func creatorsFirstSeen(_ creatorIDs: [String], deadline: ContinuousClock.Instant) async throws -> [String: Int64]

  /// The newest entries of the events stream, newest first (for operators and tests).
  func latestEvents(limit: Int, deadline: ContinuousClock.Instant) async throws -> [StoredEvent]
}

/// What `claim` found for one event id.
package enum ClaimOutcome: Sendable, Equatable {
  /// New: this request now owns it.
  case claimed
  /// Recorded before (within the de-duplication window).
  case duplicate
  /// Another request is recording it right now, or died doing so; retry shortly.
  case inFlight
}

/// The answer of `InteractionStore.claim`.
package struct ClaimResult: Sendable, Equatable {
  /// One per event, in request order.
  package var outcomes: [ClaimOutcome]
  /// Each user's most recent items before the batch, newest first.
  package var recentItems: [String: [String]]

  package init(outcomes: [ClaimOutcome], recentItems: [String: [String]]) {
    self.outcomes = outcomes
    self.recentItems = recentItems
  }
}

/// One entry of the events stream, as offline pipelines read it.
package struct StoredEvent: Sendable, Equatable {
  package var eventID: String
  package var userID: String
  package var itemID: String
  package var type: String
  package var timestamp: Double
  package var country: String

  package init(eventID: String, userID: String, itemID: String, type: String, timestamp: Double, country: String) {
    self.eventID = eventID
    self.userID = userID
    self.itemID = itemID
    self.type = type
    self.timestamp = timestamp
    self.country = country
  }
}
