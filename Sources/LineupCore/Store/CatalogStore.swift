/// The shared item catalog that UpsertItems writes and every replica mirrors in memory.
/// Versioned: each upsert batch gets the next version number and every item it touched is
/// filed under that version, so a replica catches up by asking for what changed after the
/// version it last saw, never by re-reading the whole catalog.
package protocol CatalogStore: Sendable {
  /// Inserts or replaces `items` atomically as one new version; returns that version. A
  /// creator's first-seen time is kept at the earliest ever written (an item without one
  /// contributes its created_at).
  func upsert(_ items: [CatalogItem], deadline: ContinuousClock.Instant) async throws -> Int64

  /// The newest version; 0 when nothing was ever upserted.
  func catalogVersion(deadline: ContinuousClock.Instant) async throws -> Int64

  /// Items changed after `version`, oldest change first, at most about `limit` per call
  /// (`isComplete` false means call again from `throughVersion`). Each item carries its
  /// creator's first-seen time.
  func changes(after version: Int64, limit: Int, deadline: ContinuousClock.Instant) async throws -> CatalogChanges
}

/// A page of catalog changes.
package struct CatalogChanges: Sendable, Equatable {
  package var items: [CatalogItem]
  /// Every change up to this version is in this page or an earlier one.
  package var throughVersion: Int64
  /// False when more changes follow.
  package var isComplete: Bool

  package init(items: [CatalogItem], throughVersion: Int64, isComplete: Bool) {
    self.items = items
    self.throughVersion = throughVersion
    self.isComplete = isComplete
  }
}
