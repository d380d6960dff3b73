/// Brings a replica's in-memory catalog up to date with the shared store: reads the
/// catalog version (one small read), and only when it moved, pages through the items that
/// changed since the version this replica holds. Ingested items count as from a new creator
/// when the creator was first seen within `newCreatorWindow` seconds.
package struct CatalogSync: Sendable {
  package let store: any CatalogStore
  package let holder: CatalogHolder
  /// Seconds a creator stays "new" after first being seen. Default 30 days.
  package var newCreatorWindow: Double = 30 * 86_400
  /// Items per page read from the store.
  package var pageSize = 5_000
  private let now: @Sendable () -> Double

  package init(store: any CatalogStore, holder: CatalogHolder, now: @escaping @Sendable () -> Double) {
    self.store = store
    self.holder = holder
    self.now = now
  }

  /// Applies whatever changed; returns how many items were applied (0 when current).
  @discardableResult
  package func refresh(deadline: ContinuousClock.Instant) async throws -> Int {
    let storeVersion = try await store.catalogVersion(deadline: deadline)
    var cursor = holder.ingestedVersion
    guard storeVersion != cursor else { return 0 }
    // A store version behind ours means the store was flushed or swapped: start over.
    let reset = storeVersion < cursor
    if reset { cursor = 0 }
    var applied = 0
    var first = true
    while true {
      let page = try await store.changes(after: cursor, limit: pageSize, deadline: deadline)
      let now = now()
      let items = page.items.map { item in
        var item = item
        if let firstSeen = item.creatorFirstSeen { item.isNewCreator = now - Double(firstSeen) <= newCreatorWindow }
        return item
      }
      holder.apply(items, through: page.throughVersion, reset: reset && first)
      first = false
      applied += items.count
      if page.isComplete || page.throughVersion <= cursor { break }
      cursor = page.throughVersion
    }
    return applied
  }
}
