import Synchronization

/// Coalesces concurrent computations of the same key: the first caller computes, callers
/// arriving while it runs wait for and share its result. A response-cache miss storm (many
/// requests for one user's expired entry) thus costs one store read and one computation.
package final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  private let inFlight = Mutex<[Key: Task<Value, Never>]>([:])

  package init() {}

  /// How many keys are being computed right now.
  package var pending: Int { inFlight.withLock { $0.count } }

  /// `compute`'s result for `key`, shared with concurrent callers of the same key. `shared`
  /// says whether this caller joined someone else's computation.
  package func run(_ key: Key, _ compute: @escaping @Sendable () async -> Value) async -> (value: Value, shared: Bool) {
    let (task, shared) = inFlight.withLock { tasks -> (Task<Value, Never>, Bool) in
      if let running = tasks[key] { return (running, true) }
      // Unstructured so a leader that is cancelled does not fail its followers; the
      // computation is bounded by its own store deadlines.
      let task = Task { [weak self] in
        let value = await compute()
        self?.inFlight.withLock { _ = $0.removeValue(forKey: key) }
        return value
      }
      tasks[key] = task
      return (task, false)
    }
    return (await task.value, shared)
  }
}
