/// Sends requests at their intended times (an `ArrivalSchedule`), whatever the server does:
/// each request's latency is measured from when it was *meant* to go out, so when the server
/// stalls, the requests that should have been sent meanwhile are still sent (late) and their
/// waiting counts as latency — the coordinated-omission correction of wrk2.
///
/// `maxInFlight` bounds the requests outstanding at once (memory, and the transport's
/// stream limits); when it is reached, the next request waits for a slot, and that wait is
/// part of its latency too.
package struct OpenLoopDriver: Sendable {
  package var maxInFlight: Int

  package init(maxInFlight: Int) {
    self.maxInFlight = max(1, maxInFlight)
  }

  /// Runs `offsets` (from `ArrivalSchedule.offsets()`) starting at `start`; `send` performs
  /// request `index` and `record` receives its intended and actual completion times.
  /// Returns when every request completed.
  package func run<Outcome: Sendable>(
    offsets: [Duration],
    start: ContinuousClock.Instant = .now + .milliseconds(10),
    send: @escaping @Sendable (_ index: Int) async -> Outcome,
    record: @escaping @Sendable (_ index: Int, _ intended: ContinuousClock.Instant, _ completed: ContinuousClock.Instant, _ outcome: Outcome) -> Void
  ) async {
    await withDiscardingTaskGroup { group in
      let (ends, endContinuation) = AsyncStream.makeStream(of: Void.self)
      var endIterator = ends.makeAsyncIterator()
      var inFlight = 0
      for (index, offset) in offsets.enumerated() {
        let intended = start + offset
        if intended > .now {
          try? await Task.sleep(until: intended, tolerance: .microseconds(50), clock: .continuous)
        }
        if Task.isCancelled { break }
        while inFlight >= maxInFlight {
          _ = await endIterator.next()
          inFlight -= 1
        }
        inFlight += 1
        group.addTask {
          let outcome = await send(index)
          record(index, intended, .now, outcome)
          endContinuation.yield()
        }
      }
      endContinuation.finish()
    }
  }
}

/// Sends a fixed number of requests with `concurrency` in flight, each worker sending its
/// next request when the previous one completes. This measures capacity, not latency at a
/// given load: a slow server lowers the send rate (coordinated omission), which is why the
/// open-loop driver is the default for latency budgets.
package struct ClosedLoopDriver: Sendable {
  package var concurrency: Int

  package init(concurrency: Int) {
    self.concurrency = max(1, concurrency)
  }

  package func run<Outcome: Sendable>(
    requests: Int,
    send: @escaping @Sendable (_ index: Int) async -> Outcome,
    record: @escaping @Sendable (_ index: Int, _ sent: ContinuousClock.Instant, _ completed: ContinuousClock.Instant, _ outcome: Outcome) -> Void
  ) async {
    await withDiscardingTaskGroup { group in
      for worker in 0..<concurrency {
        group.addTask {
          var index = worker
          while index < requests, !Task.isCancelled {
            let sent = ContinuousClock.now
            let outcome = await send(index)
            record(index, sent, .now, outcome)
            index += concurrency
          }
        }
      }
    }
  }
}
