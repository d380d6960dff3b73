import Synchronization

/// One request's permits from the circuit breakers of the personal candidate sources, which
/// call a dependency of their own: `source.model` (the model's candidates, read with the
/// user's state) and `source.covisitation` (the co-visitation reads). They are taken before
/// the response-cache key is made, because a source its breaker refuses is left out of the
/// slate just like a source whose flag is off, and the answer is cached as such.
///
/// Each permit is recorded where its read ends. One that never is (the answer came from the
/// cache, another request's computation was shared, the whole read failed) is released when
/// this object goes away, so a half-open breaker never waits on a trial that cannot report.
/// (`source.trending`, the live popularity read, takes its permit at the read itself: the
/// baselines read it too, and a refusal only means the files' popularity is served.)
package final class SourceBreakerPermits: Sendable {
  /// The sources with a breaker of their own, and its name.
  package static let breakerOfSource: [(source: CandidateSourceName, breaker: String)] = [
    (.model, BreakerCatalog.sourceModel),
    (.coVisitation, BreakerCatalog.sourceCoVisitation),
  ]

  /// Sources whose breaker refused this request.
  package let refused: Set<CandidateSourceName>
  private let held: Mutex<[CandidateSourceName: (breaker: CircuitBreaker, permit: BreakerPermit)]>

  /// Asks the breaker of every source not in `skipping` (a source whose flag is off is not
  /// called, so it spends no permit). No control plane: every source runs, unguarded.
  package init(control: ControlPlane?, skipping: Set<CandidateSourceName>) {
    var refused: Set<CandidateSourceName> = []
    var held: [CandidateSourceName: (breaker: CircuitBreaker, permit: BreakerPermit)] = [:]
    for (source, name) in Self.breakerOfSource where !skipping.contains(source) {
      guard let breaker = control?.breaker(name) else { continue }
      if let permit = breaker.acquire() { held[source] = (breaker, permit) } else { refused.insert(source) }
    }
    self.refused = refused
    self.held = Mutex(held)
  }

  /// Starts timing `source`'s call now: the permit was taken before the user-state read, and
  /// that read's time is `redis.read`'s to judge, not the source's.
  package func startCall(_ source: CandidateSourceName) {
    held.withLock { held in
      guard let entry = held[source] else { return }
      held[source] = (entry.breaker, entry.breaker.restartingClock(entry.permit))
    }
  }

  /// Counts the outcome of `source`'s read (once; later calls and sources without a permit
  /// do nothing).
  package func record(_ source: CandidateSourceName, failed: Bool) {
    guard let entry = held.withLock({ $0.removeValue(forKey: source) }) else { return }
    entry.breaker.record(entry.permit, failed: failed)
  }

  /// Hands back `source`'s permit uncounted: its read was not made.
  package func release(_ source: CandidateSourceName) {
    guard let entry = held.withLock({ $0.removeValue(forKey: source) }) else { return }
    entry.breaker.release(entry.permit)
  }

  deinit {
    for entry in held.withLock({ $0.values }) { entry.breaker.release(entry.permit) }
  }
}
