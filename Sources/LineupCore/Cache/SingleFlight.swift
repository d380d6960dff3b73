import Synchronization

/// Coalesces concurrent computations of the same key: the first caller computes, callers
/// arriving while it runs wait for and share its result. A response-cache miss storm (many
/// requests for one user's expired entry) thus costs one store read and one computation.
///
/// A caller joins a running computation only when that computation is bounded by a deadline
/// no later than its own: a follower with a tighter deadline than the leader's computes by
/// itself rather than wait past its caller's deadline for someone else's answer.
package final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  private struct Flight {
    var task: Task<Value, Never>
    var deadline: ContinuousClock.Instant
  }

  private let inFlight = Mutex<[Key: Flight]>([:])

  package init() {}

  /// How many keys are being computed right now.
  package var pending: Int { inFlight.withLock { $0.count } }

  /// `compute`'s result for `key`, shared with concurrent callers of the same key whose
  /// deadlines are no earlier than `deadline` (the latest time `compute` may take). `shared`
  /// says whether this caller joined someone else's computation.
  package func run(
    _ key: Key, deadline: ContinuousClock.Instant, _ compute: @escaping @Sendable () async -> Value
  ) async -> (value: Value, shared: Bool) {
    let (task, shared) = inFlight.withLock { flights -> (Task<Value, Never>, Bool) in
      if let running = flights[key] {
        if running.deadline <= deadline { return (running.task, true) }
        // Too slow for this caller: compute alone, leave the running flight to its followers.
        return (Task { await compute() }, false)
      }
      // Unstructured so a leader that is cancelled does not fail its followers; the
      // computation is bounded by its own store deadlines.
      let task = Task { [weak self] in
        let value = await compute()
        self?.inFlight.withLock { _ = $0.removeValue(forKey: key) }
        return value
      }
      flights[key] = Flight(task: task, deadline: deadline)
      return (task, false)
    }
    return (await task.value, shared)
  }
}
