/// How long a request may spend waiting on the store: the caller's gRPC deadline minus a
/// safety margin (time to rank, encode and send), capped per store call. With too little
/// left, the request skips the store and answers from the files (fallback reason DEADLINE)
/// rather than miss the caller's deadline.
package struct RequestBudget: Sendable, Equatable {
  /// When the caller gives up; nil when it sent no deadline.
  package var rpcDeadline: ContinuousClock.Instant?
  /// Kept back for the work after the store answers. Default 5 ms.
  package var safetyMargin: Duration = .milliseconds(5)
  /// Longest any one store call may take, deadline or not. Default 50 ms.
  package var maxStoreWait: Duration = .milliseconds(50)
  /// Below this much usable time the store is not called at all. Default 1 ms.
  package var minimumStoreWait: Duration = .milliseconds(1)

  package init(rpcDeadline: ContinuousClock.Instant? = nil) {
    self.rpcDeadline = rpcDeadline
  }

  /// The deadline for a store call made after the answer went out (a shadow computation):
  /// the caller's deadline no longer binds it, the per-call cap does.
  package func detachedStoreDeadline(now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
    now + maxStoreWait
  }

  /// The deadline for a store call starting `now`; nil when there is not enough time.
  package func storeDeadline(now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant? {
    var deadline = now + maxStoreWait
    if let rpcDeadline { deadline = min(deadline, rpcDeadline - safetyMargin) }
    return deadline - now >= minimumStoreWait ? deadline : nil
  }
}
