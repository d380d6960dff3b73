import Synchronization

/// A replica's live control state: the flags it evaluates on every request and its circuit
/// breakers, kept in step with the shared store by `ControlSync`. When the store cannot be
/// read the last known state stays in force and `isFresh` says so.
package final class ControlPlane: Sendable {
  /// One breaker per dependency (`BreakerCatalog.names`).
  package let breakers: [String: CircuitBreaker]
  private let defaults: [String: FeatureFlag]
  private let state: Mutex<State>
  private let shadowStats = Mutex<[String: ShadowStats]>([:])
  /// Shadow computations running now, at most `maxShadowRuns`.
  private let shadowRuns = Atomic<Int>(0)
  /// Bumped by every change applied locally, so a re-read that started before it does not
  /// put the old state back (`apply(_:at:ifUnchangedSince:)`).
  private let localChanges = Atomic<UInt64>(0)

  /// Shadow computations allowed at once; more are skipped (and not counted).
  package static let maxShadowRuns = 64

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
      var settings = breakerSettings
      // A RecordInteractions batch of hundreds of events is slow by nature under load; only
      // its failures say Redis is in trouble.
      // The model's candidates come in the user-state read, whose time is `redis.read`'s to judge.
      if name == BreakerCatalog.redisWrite || name == BreakerCatalog.sourceModel { settings.slowCallRateThreshold = 1 }
      breakers[name] = CircuitBreaker(name: name, settings: settings, clock: clock, onTransition: onTransition)
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

  /// A token for `apply(_:at:ifUnchangedSince:)`: take it before reading the shared state.
  package var changeToken: UInt64 { localChanges.load(ordering: .acquiring) }

  /// Applies the shared state read at `at` (wall-clock seconds): stored flags over the
  /// defaults, and every breaker's override (AUTO where none is stored). Flags the store held
  /// but could not decode keep their last known value, and the state is reported stale. When
  /// a change was applied locally since `token` was taken, the read may predate it: nothing
  /// is applied (the next read will see the change) and false is returned.
  @discardableResult
  package func apply(_ snapshot: ControlSnapshot, at: Double, ifUnchangedSince token: UInt64? = nil) -> Bool {
    let applied = state.withLock { state -> Bool in
      if let token, localChanges.load(ordering: .acquiring) != token { return false }
      var flags = defaults.merging(snapshot.flags) { _, stored in stored }
      for name in snapshot.unreadableFlags { flags[name] = state.flags[name] ?? flags[name] }
      state.flags = flags
      state.lastSync = at
      state.syncError =
        snapshot.unreadableFlags.isEmpty
        ? nil : "stored flags that do not decode (kept as last known): \(snapshot.unreadableFlags.sorted().joined(separator: ", "))"
      return true
    }
    guard applied else { return false }
    for (name, breaker) in breakers {
      let wanted = snapshot.breakerOverrides[name] ?? .auto
      if breaker.snapshot.override != wanted { breaker.setOverride(wanted) }
    }
    return true
  }

  /// Applies a breaker override this replica just stored.
  package func apply(override: BreakerOverride, to name: String) {
    localChanges.add(1, ordering: .releasing)
    breakers[name]?.setOverride(override)
  }

  /// Applies one change this replica just stored, without waiting for the next read.
  package func apply(flag: FeatureFlag) {
    state.withLock {
      localChanges.add(1, ordering: .releasing)
      $0.flags[flag.name] = flag
    }
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

  /// Runs `work` in the background as a shadow computation, unless `maxShadowRuns` are
  /// running already (then it is skipped, and not counted): shadow work must never pile up
  /// behind a slow store. Its slot is freed when it ends.
  package func startShadowRun(_ work: @escaping @Sendable () async -> Void) {
    guard beginShadowRun() else { return }
    Task {
      defer { endShadowRun() }
      await work()
    }
  }

  /// Claims a slot for a shadow computation; false when `maxShadowRuns` are running.
  private func beginShadowRun() -> Bool {
    if shadowRuns.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue > Self.maxShadowRuns {
      shadowRuns.wrappingSubtract(1, ordering: .relaxed)
      return false
    }
    return true
  }

  private func endShadowRun() {
    shadowRuns.wrappingSubtract(1, ordering: .relaxed)
  }

  /// Counts one shadow comparison under the flag that asked for it (`recs`, `feed`,
  /// `pricing`, or a `source.*` flag).
  package func recordShadow(_ comparison: ShadowComparison, flag: String) {
    shadowStats.withLock { $0[flag, default: ShadowStats()].add(comparison) }
  }

  /// What the shadow comparisons of each flag found so far.
  package var shadow: [String: ShadowStats] { shadowStats.withLock { $0 } }
}
