import Synchronization

/// Holds the current fallback data so it can be swapped at run time (ReloadFallback) while
/// requests keep reading the previous snapshot. Reads copy a reference-counted value under a
/// short lock; no request ever sees a half-loaded state.
package final class FallbackDataHolder: Sendable {
  private let data: Mutex<FallbackData>

  package init(_ initial: FallbackData) {
    data = Mutex(initial)
  }

  /// The snapshot in force now.
  package var current: FallbackData { data.withLock { $0 } }

  /// Installs a new snapshot; returns the previous one.
  @discardableResult
  package func replace(with new: FallbackData) -> FallbackData {
    data.withLock { current in
      let old = current
      current = new
      return old
    }
  }
}
