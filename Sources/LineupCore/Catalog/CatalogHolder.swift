import Synchronization

/// The in-memory catalog every request joins candidates with: the demo/baseline catalog from
/// fallback-data/ overlaid by items ingested through UpsertItems (an ingested item replaces
/// a file item with the same id). Readers get an immutable snapshot under a short lock; the
/// merged dictionary is rebuilt only when something changes, never per request.
package final class CatalogHolder: Sendable {
  private struct State {
    var files: [String: CatalogItem]
    var ingested: [String: CatalogItem] = [:]
    var merged: [String: CatalogItem]
    /// The store's catalog version the ingested items are current with.
    var ingestedVersion: Int64 = 0
  }

  private let state: Mutex<State>

  package init(files: [String: CatalogItem]) {
    state = Mutex(State(files: files, merged: files))
  }

  /// Every item by id.
  package var items: [String: CatalogItem] { state.withLock { $0.merged } }

  /// One item, or nil.
  package func item(_ id: String) -> CatalogItem? { state.withLock { $0.merged[id] } }

  /// The catalog version of the ingested items (0: none yet).
  package var ingestedVersion: Int64 { state.withLock { $0.ingestedVersion } }

  /// Installs a reloaded file catalog (ReloadFallback); ingested items still win.
  package func replaceFiles(_ files: [String: CatalogItem]) {
    state.withLock { state in
      state.files = files
      state.merged = files.merging(state.ingested) { _, ingested in ingested }
    }
  }

  /// Applies changed items from the store, current through `version`. `reset` drops every
  /// ingested item first (the store was emptied or replaced).
  package func apply(_ changed: [CatalogItem], through version: Int64, reset: Bool = false) {
    state.withLock { state in
      if reset { state.ingested = [:] }
      for item in changed { state.ingested[item.id] = item }
      state.ingestedVersion = version
      state.merged = state.files.merging(state.ingested) { _, ingested in ingested }
    }
  }
}
