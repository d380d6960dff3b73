import Synchronization

/// A replica's live control state: the flags it evaluates on every request and its circuit
/// breakers, kept in step with the shared store by `ControlSync`. When the store cannot be
/// read the last known state stays in force and `isFresh` says so.
package final class ControlPlane: Sendable {
  /// One breaker per dependency (`BreakerCatalog.names`).
  package let breakers: [String: CircuitBreaker]
  private let defaults: [String: FeatureFlag]
  private let state: Mutex<State>
  private let shadowStats = Mutex(ShadowStats())

  private struct State {
    var flags: [String: FeatureFlag]
    /// Wall-clock seconds of the last successful read of the shared state; nil before one.
    var lastSync: Double?
    /// Why the last read failed, while it keeps failing.
    var syncError: String?
  }

  /// - Parameters:
  ///   - defaults: the flags in force before (and without) the shared store, e.g.
  ///     `FlagCatalog.defaults()` overlaid by a defaults file.
  ///   - breakerSettings: thresholds of every breaker.
  ///   - clock: monotonic seconds, for the breakers.
  ///   - onTransition: told of every breaker state change (logs, metrics).
  package init(
    defaults: [String: FeatureFlag],
    breakerSettings: BreakerSettings = BreakerSettings(),
    clock: @escaping @Sendable () -> Double,
    onTransition: @escaping @Sendable (BreakerTransition) -> Void = { _ in }
  ) {
    self.defaults = defaults
    self.state = Mutex(State(flags: defaults))
    var breakers: [String: CircuitBreaker] = [:]
    for name in BreakerCatalog.names {
      breakers[name] = CircuitBreaker(name: name, settings: breakerSettings, clock: clock, onTransition: onTransition)
    }
    self.breakers = breakers
  }

  /// The decision of flag `name` for a user, or nil when no such flag exists (the capability
  /// is then not governed by a flag).
  package func evaluate(_ name: String, userID: String, country: String) -> FlagEvaluation? {
    guard let flag = state.withLock({ $0.flags[name] }) else { return nil }
    return flag.evaluate(userID: userID, country: country)
  }

  package func breaker(_ name: String) -> CircuitBreaker? { breakers[name] }

  /// Every flag in force, by name.
  package var flags: [FeatureFlag] {
    state.withLock { $0.flags.values.sorted { $0.name < $1.name } }
  }

  package func flag(_ name: String) -> FeatureFlag? { state.withLock { $0.flags[name] } }

  /// Applies the shared state read at `at` (wall-clock seconds): stored flags over the
  /// defaults, and every breaker's override (AUTO where none is stored).
  package func apply(_ snapshot: ControlSnapshot, at: Double) {
    state.withLock {
      $0.flags = defaults.merging(snapshot.flags) { _, stored in stored }
      $0.lastSync = at
      $0.syncError = nil
    }
    for (name, breaker) in breakers {
      let wanted = snapshot.breakerOverrides[name] ?? .auto
      if breaker.snapshot.override != wanted { breaker.setOverride(wanted) }
    }
  }

  /// Applies one change this replica just stored, without waiting for the next read.
  package func apply(flag: FeatureFlag) {
    state.withLock { $0.flags[flag.name] = flag }
  }

  /// Records that the shared state could not be read; the last known state stays.
  package func markStale(_ reason: String) {
    state.withLock { $0.syncError = reason }
  }

  /// Whether the last read of the shared state succeeded (false before the first one).
  package var isFresh: Bool {
    state.withLock { $0.lastSync != nil && $0.syncError == nil }
  }

  /// Why the shared state is stale, if it is.
  package var staleReason: String? {
    state.withLock { $0.lastSync == nil ? ($0.syncError ?? "not read yet") : $0.syncError }
  }

  // MARK: - Shadow mode

  /// What shadow computations found: how many ran, their mean overlap@k with the served
  /// baseline, and the mean extra latency of the shadowed path.
  package struct ShadowStats: Sendable, Equatable {
    package var runs = 0
    package var overlapSum = 0.0
    package var extraSecondsSum = 0.0
    package var meanOverlap: Double { runs == 0 ? 0 : overlapSum / Double(runs) }
    package var meanExtraSeconds: Double { runs == 0 ? 0 : extraSecondsSum / Double(runs) }
  }

  package func recordShadow(overlap: Double, extraSeconds: Double) {
    shadowStats.withLock {
      $0.runs += 1
      $0.overlapSum += overlap
      $0.extraSecondsSum += extraSeconds
    }
  }

  package var shadow: ShadowStats { shadowStats.withLock { $0 } }
}
