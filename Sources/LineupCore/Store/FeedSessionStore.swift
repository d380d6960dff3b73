/// The items already served in one feed session, so pages of a session never repeat an item.
package protocol FeedSessionStore: Sendable {
  /// Items served so far in the session (empty for a new or expired session).
  func servedItems(userID: String, sessionID: String, deadline: ContinuousClock.Instant) async throws -> Set<String>

  /// Adds served items and restarts the session's expiry (`ttlSeconds`).
  func addServedItems(_ itemIDs: [String], userID: String, sessionID: String, ttlSeconds: Int, deadline: ContinuousClock.Instant) async throws
}
