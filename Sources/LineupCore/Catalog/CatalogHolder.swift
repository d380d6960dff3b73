import Synchronization

/// The in-memory catalog every request joins candidates with: the demo/baseline catalog from
/// fallback-data/ overlaid by items ingested through UpsertItems (an ingested item replaces
/// a file item with the same id). Readers get an immutable snapshot under a short lock; the
/// merged, numbered catalog (`CatalogIndex`) is rebuilt only when something changes, never
/// per request.
package final class CatalogHolder: Sendable {
  private struct State {
    var files: [String: CatalogItem]
    var ingested: [String: CatalogItem] = [:]
    var merged: CatalogIndex
    /// Available new-creator items, newest first (the new-creator candidate pool).
    var newCreatorItems: [CatalogItem]
    /// The store's catalog version the ingested items are current with.
    var ingestedVersion: Int64 = 0

    init(files: [String: CatalogItem]) {
      self.files = files
      self.merged = CatalogIndex(files)
      self.newCreatorItems = Self.newCreatorPool(files)
    }

    mutating func merge() {
      let items = files.merging(ingested) { _, ingested in ingested }
      merged = CatalogIndex(items)
      newCreatorItems = Self.newCreatorPool(items)
    }

    /// Rebuilt with the merged catalog, never per request.
    static func newCreatorPool(_ items: [String: CatalogItem]) -> [CatalogItem] {
      let pool = items.values.filter { $0.isNewCreator && $0.isAvailable }
        .sorted { $0.createdAt > $1.createdAt || ($0.createdAt == $1.createdAt && $0.id < $1.id) }
      return Array(pool.prefix(CatalogHolder.newCreatorPoolSize))
    }
  }

  /// Most new-creator items kept in the pool.
  package static let newCreatorPoolSize = 500

  private let state: Mutex<State>

  package init(files: [String: CatalogItem]) {
    state = Mutex(State(files: files))
  }

  /// Every item, numbered.
  package var index: CatalogIndex { state.withLock { $0.merged } }

  /// Available items of new creators, newest first (at most `newCreatorPoolSize`).
  package var newCreatorItems: [CatalogItem] { state.withLock { $0.newCreatorItems } }

  /// Items and the new-creator pool from one consistent snapshot (one lock).
  package var snapshot: (items: CatalogIndex, newCreatorItems: [CatalogItem]) {
    state.withLock { ($0.merged, $0.newCreatorItems) }
  }

  /// One item, or nil.
  package func item(_ id: String) -> CatalogItem? { state.withLock { $0.merged[id] } }

  /// The catalog version of the ingested items (0: none yet).
  package var ingestedVersion: Int64 { state.withLock { $0.ingestedVersion } }

  /// Installs a reloaded file catalog (ReloadFallback); ingested items still win.
  package func replaceFiles(_ files: [String: CatalogItem]) {
    state.withLock { state in
      state.files = files
      state.merge()
    }
  }

  /// Applies changed items from the store, current through `version`. `reset` drops every
  /// ingested item first (the store was emptied or replaced).
  package func apply(_ changed: [CatalogItem], through version: Int64, reset: Bool = false) {
    state.withLock { state in
      if reset { state.ingested = [:] }
      for item in changed { state.ingested[item.id] = item }
      state.ingestedVersion = version
      state.merge()
    }
  }
}
