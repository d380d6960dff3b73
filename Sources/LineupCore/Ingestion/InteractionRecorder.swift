package import Logging

/// RecordInteractions in the domain: de-duplicates, claims, applies the derived plan and
/// completes, following `InteractionStore`'s protocol so that an event is never
/// acknowledged and then lost. Any store failure becomes UNAVAILABLE (retry: idempotency
/// makes it safe); nothing is acknowledged unless every write of the batch succeeded.
package struct InteractionRecorder: Sendable {
  /// What a batch came to.
  package struct Outcome: Sendable, Equatable {
    /// Newly stored.
    package var accepted: Int
    /// Recorded before (or repeated within this request): counted once, not stored again.
    package var duplicates: Int
  }

  package let store: any InteractionStore
  package let settings: IngestionSettings
  /// The catalog, to find items' creators.
  package let catalog: CatalogHolder

  package init(store: any InteractionStore, settings: IngestionSettings, catalog: CatalogHolder) {
    self.store = store
    self.settings = settings
    self.catalog = catalog
  }

  /// Records valid events. Throws UNAVAILABLE when the store fails or when another request
  /// is recording one of the same events right now.
  package func record(_ events: [Interaction], deadline: ContinuousClock.Instant, logger: Logger) async throws(LineupError) -> Outcome {
    // An event id repeated within the request counts once, like a retry.
    var firstIndex: [String: Int] = [:]
    var unique: [Interaction] = []
    for event in events where firstIndex[Self.identity(event)] == nil {
      firstIndex[Self.identity(event)] = unique.count
      unique.append(event)
    }
    var duplicates = events.count - unique.count
    guard !unique.isEmpty else { return Outcome(accepted: 0, duplicates: duplicates) }

    let claim: ClaimResult
    do {
      claim = try await store.claim(unique, settings: settings, deadline: deadline)
    } catch {
      throw Self.unavailable("could not claim the events", cause: error)
    }
    var claimed: [Interaction] = []
    var inFlight = 0
    for (event, outcome) in zip(unique, claim.outcomes) {
      switch outcome {
      case .claimed: claimed.append(event)
      case .duplicate: duplicates += 1
      case .inFlight: inFlight += 1
      }
    }

    if !claimed.isEmpty {
      let plan = IngestionPlan.make(events: claimed, recentItems: claim.recentItems, catalog: catalog.item, settings: settings)
      do {
        try await store.apply(plan, settings: settings, deadline: deadline)
        try await store.complete(claimed, settings: settings, deadline: deadline)
      } catch {
        do {
          try await store.release(claimed, settings: settings, deadline: deadline)
        } catch let releaseError {
          // The pending marks expire by themselves (pendingClaimTTL); the retry then succeeds.
          logger.warning("could not release event claims; they expire on their own", metadata: ["error": "\(releaseError)"])
        }
        throw Self.unavailable("could not store the events", cause: error)
      }
    }
    if inFlight > 0 {
      // Ours are stored; the client's retry will count them as duplicates and record the
      // others once their concurrent writer finishes or its claim expires.
      throw LineupError(
        code: .unavailable,
        message: "\(inFlight) event(s) of this batch are being recorded by a concurrent request; retry the batch (already stored events count as duplicates)"
      )
    }
    return Outcome(accepted: claimed.count, duplicates: duplicates)
  }

  /// Events are de-duplicated per user: ids only need to be unique per user, and on Redis the
  /// marker lives in the user's hash slot.
  private static func identity(_ event: Interaction) -> String { "\(event.userID)\u{0}\(event.eventID)" }

  private static func unavailable(_ message: String, cause: any Error) -> LineupError {
    LineupError(code: .unavailable, message: "\(message): the event store is unavailable; nothing was acknowledged, retry the batch", cause: cause)
  }
}
