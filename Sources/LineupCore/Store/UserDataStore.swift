/// Erasure of one user (DeleteUserData): everything the store keeps under the user's id.
package protocol UserDataStore: Sendable {
  /// Removes the user's history (recently seen items, event-id markers, their entries in the
  /// events log), model candidates, cached responses, feed sessions and features; returns how
  /// many keys or entries of each kind (`UserDataKind`) went. Aggregates the user fed
  /// (country popularity, co-visitation counts) hold no user id and stay.
  func deleteUserData(_ userID: String, deadline: ContinuousClock.Instant) async throws -> [String: Int]
}

/// The kinds DeleteUserData reports.
package enum UserDataKind {
  package static let history = "history"
  package static let events = "events"
  package static let candidates = "candidates"
  package static let cachedResponses = "cached_responses"
  package static let feedSessions = "feed_sessions"
  package static let features = "features"
}
