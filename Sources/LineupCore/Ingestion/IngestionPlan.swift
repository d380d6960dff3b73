/// Everything RecordInteractions writes for the new (claimed) events of one batch, derived
/// here in the domain so the in-memory and the Redis store apply exactly the same rules and a
/// store only executes writes. Increments are aggregated, so a batch of 1,000 views of one
/// item is one popularity write, not 1,000.
package struct IngestionPlan: Sendable, Equatable {
  /// Popularity to add per (country, item), with the time the increment is decayed from.
  package var popularity: [PopularityIncrement] = []
  /// Latest interaction time per (user, item), for the recently-seen sets.
  package var seen: [SeenUpdate] = []
  /// Co-visitation counts to add: under each earlier item, the item visited after it.
  package var coVisits: [CoVisit] = []
  /// Earliest time each creator was seen in the batch (kept only if earlier than known).
  package var creatorsFirstSeen: [String: Int64] = [:]
  /// The events, for the stream offline pipelines read.
  package var events: [Interaction] = []
  /// Users whose cached feed pages are now stale.
  package var feedInvalidations: [String] = []

  package init() {}

  /// Derives the plan from the batch's new events, each user's most recent items before the
  /// batch (newest first), and the catalog (to find items' creators).
  package static func make(
    events: [Interaction],
    recentItems: [String: [String]],
    catalog: (String) -> CatalogItem?,
    settings: IngestionSettings
  ) -> IngestionPlan {
    var plan = IngestionPlan()
    plan.events = events

    var popularity: [PopularityKey: (weight: Double, at: Double)] = [:]
    var seen: [SeenKey: Double] = [:]
    var coVisits: [CoVisitKey: Double] = [:]
    var eventsByUser: [String: [Interaction]] = [:]
    for event in events {
      if let country = event.context.country {
        let key = PopularityKey(country: country, itemID: event.itemID)
        let previous = popularity[key] ?? (0, 0)
        // Each event decays from its own time; aggregated increments are exact when expressed
        // at the latest time: w·2^((t−L)/h) summed = (Σ w·2^((t−t_max)/h))·2^((t_max−L)/h).
        let latest = max(previous.at, event.timestamp)
        let rescaled = previous.weight * decay(from: previous.at, to: latest, halfLife: settings.popularityHalfLife)
          + settings.weight(of: event) * decay(from: event.timestamp, to: latest, halfLife: settings.popularityHalfLife)
        popularity[key] = (rescaled, latest)
      }
      seen[SeenKey(userID: event.userID, itemID: event.itemID), default: 0].formMax(event.timestamp)
      eventsByUser[event.userID, default: []].append(event)
      if let creator = catalog(event.itemID)?.creatorID {
        let at = Int64(event.timestamp)
        plan.creatorsFirstSeen[creator] = min(plan.creatorsFirstSeen[creator] ?? at, at)
      }
    }

    // Co-visitation, "watched j, then i": each new item i counts once under every item j in
    // the user's window of most recent items (which grows as the batch is replayed in time
    // order). One direction only: the candidate source asks "what comes after the items this
    // user just saw", and the reverse would double the writes for nothing it reads.
    for (user, userEvents) in eventsByUser {
      var window = Array((recentItems[user] ?? []).prefix(settings.coVisitationWindow))
      for event in userEvents.sorted(by: { $0.timestamp < $1.timestamp }) {
        for other in window where other != event.itemID {
          coVisits[CoVisitKey(itemID: other, otherItemID: event.itemID), default: 0] += 1
        }
        window.removeAll { $0 == event.itemID }
        window.insert(event.itemID, at: 0)
        if window.count > settings.coVisitationWindow { window.removeLast() }
      }
    }

    // Sorted so a plan is deterministic (tests compare plans; Redis sees stable pipelines).
    plan.popularity = popularity.map { PopularityIncrement(country: $0.key.country, itemID: $0.key.itemID, weight: $0.value.weight, at: $0.value.at) }
      .sorted { ($0.country.value, $0.itemID) < ($1.country.value, $1.itemID) }
    plan.seen = seen.map { SeenUpdate(userID: $0.key.userID, itemID: $0.key.itemID, at: $0.value) }
      .sorted { ($0.userID, $0.itemID) < ($1.userID, $1.itemID) }
    plan.coVisits = coVisits.map { CoVisit(itemID: $0.key.itemID, otherItemID: $0.key.otherItemID, count: $0.value) }
      .sorted { ($0.itemID, $0.otherItemID) < ($1.itemID, $1.otherItemID) }
    plan.feedInvalidations = eventsByUser.keys.sorted()
    return plan
  }

  /// How much of a weight at `from` is left at `to`: 2^(−(to − from)/halfLife).
  static func decay(from: Double, to: Double, halfLife: Double) -> Double {
    PopularityDecay(halfLife: halfLife).factor(at: from, landmark: to)
  }

  private struct PopularityKey: Hashable { var country: CountryCode; var itemID: String }
  private struct SeenKey: Hashable { var userID: String; var itemID: String }
  private struct CoVisitKey: Hashable { var itemID: String; var otherItemID: String }
}

/// Popularity to add to one item in one country, as of time `at` (seconds since the epoch).
package struct PopularityIncrement: Sendable, Equatable {
  package var country: CountryCode
  package var itemID: String
  package var weight: Double
  package var at: Double

  package init(country: CountryCode, itemID: String, weight: Double, at: Double) {
    self.country = country
    self.itemID = itemID
    self.weight = weight
    self.at = at
  }
}

/// A user interacted with an item at `at`.
package struct SeenUpdate: Sendable, Equatable {
  package var userID: String
  package var itemID: String
  package var at: Double

  package init(userID: String, itemID: String, at: Double) {
    self.userID = userID
    self.itemID = itemID
    self.at = at
  }
}

/// `count` more co-visits of `otherItemID` after or before `itemID` by the same user.
package struct CoVisit: Sendable, Equatable {
  package var itemID: String
  package var otherItemID: String
  package var count: Double

  package init(itemID: String, otherItemID: String, count: Double) {
    self.itemID = itemID
    self.otherItemID = otherItemID
    self.count = count
  }
}

extension Double {
  fileprivate mutating func formMax(_ other: Double) { self = Swift.max(self, other) }
}
