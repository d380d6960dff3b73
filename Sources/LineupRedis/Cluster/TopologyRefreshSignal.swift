import Synchronization

/// Wakes the cluster client's topology loop early when a command learns the slot map is
/// stale (`-MOVED`) or a node failed. Requests coalesce: a thousand MOVED replies while a
/// refresh runs cause one more refresh, not a thousand. One waiter at a time (the loop).
final class TopologyRefreshSignal: Sendable {
  private struct State {
    var requested = false
    var waiter: CheckedContinuation<Void, Never>?
  }

  private let state = Mutex(State())

  /// Asks for a refresh; never blocks, safe from any task.
  func request() {
    let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
      if let waiter = state.waiter {
        state.waiter = nil
        return waiter
      }
      state.requested = true
      return nil
    }
    waiter?.resume()
  }

  /// Forgets requests made so far (the refresh about to start answers them).
  func clear() {
    state.withLock { $0.requested = false }
  }

  /// Returns when a refresh is requested or `timeout` has passed, whichever is first (or at
  /// once when cancelled). True when it was a request.
  func wait(timeout: Duration) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        await self.nextRequest()
        return !Task.isCancelled
      }
      group.addTask {
        try? await Task.sleep(for: timeout)
        return false
      }
      let first = await group.next() ?? false
      group.cancelAll()
      return first
    }
  }

  private func nextRequest() async {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let resumeNow: Bool = state.withLock { state in
          if state.requested {
            state.requested = false
            return true
          }
          // Cancellation may have run its handler before the continuation existed; the
          // check under the lock closes that window.
          if Task.isCancelled { return true }
          state.waiter = continuation
          return false
        }
        if resumeNow { continuation.resume() }
      }
    } onCancel: {
      let waiter = state.withLock { state in
        defer { state.waiter = nil }
        return state.waiter
      }
      waiter?.resume()
    }
  }
}
