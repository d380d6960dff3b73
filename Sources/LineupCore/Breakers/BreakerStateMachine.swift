/// Where a circuit breaker stands. The raw values are what metrics, logs and the admin
/// surface show.
package enum BreakerState: String, Sendable, Codable, CaseIterable {
  /// Calls go through and their outcomes are counted.
  case closed
  /// Calls are refused until `openSeconds` have passed.
  case open
  /// A few trial calls go through; their outcomes decide between closed and open.
  case halfOpen = "half_open"
  /// An operator forced the breaker open: every call is refused.
  case forcedOpen = "forced_open"
  /// An operator disabled the breaker (forced closed): every call goes through, none counted.
  case disabled
}

/// What an operator has imposed on a breaker.
package enum BreakerOverride: String, Sendable, Codable, CaseIterable {
  /// No override: the breaker follows the outcomes of calls.
  case auto
  case forcedOpen = "forced_open"
  case disabled
}

/// A breaker's state and the figures behind it, for metrics and the admin surface.
package struct BreakerSnapshot: Sendable, Equatable {
  package var name: String
  package var state: BreakerState
  package var override: BreakerOverride
  /// Share of the counted calls that failed: the window's when closed, the reported trials'
  /// when half-open, 0 otherwise (opening clears the window).
  package var failureRate: Double
  /// Share of the counted calls that were slow, counted like `failureRate`.
  package var slowCallRate: Double
  /// Calls counted: in the window when closed, trials reported when half-open, else 0.
  package var callsInWindow: Int
  /// Clock seconds of the last state change (the breaker's creation before the first).
  package var since: Double

  package init(
    name: String, state: BreakerState, override: BreakerOverride, failureRate: Double, slowCallRate: Double,
    callsInWindow: Int, since: Double
  ) {
    self.name = name
    self.state = state
    self.override = override
    self.failureRate = failureRate
    self.slowCallRate = slowCallRate
    self.callsInWindow = callsInWindow
    self.since = since
  }
}

/// One change of a breaker's state, reported to whoever logs it or updates a gauge.
package struct BreakerTransition: Sendable, Equatable {
  package var name: String
  package var from: BreakerState
  package var to: BreakerState
  /// Clock seconds of the change.
  package var at: Double

  package init(name: String, from: BreakerState, to: BreakerState, at: Double) {
    self.name = name
    self.from = from
    self.to = to
    self.at = at
  }
}

/// A permission to make one call; hand it back with the outcome.
package struct BreakerPermit: Sendable, Equatable {
  /// Clock seconds when the permit was issued; the call's duration is measured from here.
  package let startedAt: Double
  /// Whether the call is one of the half-open trials that decide whether the breaker closes.
  package let isTrial: Bool
  /// The breaker's generation when the permit was issued. Every state change starts a new
  /// one, so an outcome that arrives after a change (a call that began while closed and ends
  /// after the breaker opened) is ignored rather than counted against the new state.
  package let generation: UInt64
}

/// A circuit breaker's rules as a plain value: what to do on each acquire, outcome and
/// override, given the time. It does no locking and reads no clock, so every rule is tested
/// by stepping it with chosen times; `CircuitBreaker` puts it behind a lock for sharing.
package struct BreakerStateMachine: Sendable {
  package let name: String
  package let settings: BreakerSettings
  package private(set) var state: BreakerState = .closed
  package private(set) var override: BreakerOverride = .auto
  /// Clock seconds of the last state change; when open, when it opened.
  package private(set) var since: Double
  package private(set) var generation: UInt64 = 0
  private var window: OutcomeWindow
  private var trials = TrialCounts()

  /// - Precondition: `settings.problem == nil`; validate settings where they are read.
  package init(name: String, settings: BreakerSettings = BreakerSettings(), now: Double) {
    precondition(settings.problem == nil, "breaker \(name): \(settings.problem ?? "")")
    self.name = name
    self.settings = settings
    self.since = now
    self.window = OutcomeWindow(capacity: settings.windowSize)
  }

  /// A permit for one call at `now`, or nil when the call is refused, and the state change
  /// this caused (open → half-open once `openSeconds` have passed).
  package mutating func acquire(now: Double) -> (permit: BreakerPermit?, transition: BreakerTransition?) {
    switch state {
    case .closed, .disabled:
      return (permit(now: now, isTrial: false), nil)
    case .forcedOpen:
      return (nil, nil)
    case .open:
      guard now - since >= settings.openSeconds else { return (nil, nil) }
      let transition = move(to: .halfOpen, now: now)
      trials.issued = 1
      return (permit(now: now, isTrial: true), transition)
    case .halfOpen:
      guard trials.issued < settings.halfOpenTrialCalls else { return (nil, nil) }
      trials.issued += 1
      return (permit(now: now, isTrial: true), nil)
    }
  }

  /// Counts the outcome of the call `permit` allowed, which ended at `now`, and returns the
  /// state change it caused. Outcomes of an earlier generation, and any outcome while
  /// disabled, are ignored.
  package mutating func record(_ permit: BreakerPermit, failed: Bool, now: Double) -> BreakerTransition? {
    guard permit.generation == generation else { return nil }
    let outcome = Outcome(failed: failed, slow: now - permit.startedAt >= settings.slowCallSeconds)
    switch state {
    case .closed:
      window.append(outcome)
      guard window.count >= settings.minimumCalls,
        exceedsThresholds(failures: window.failures, slow: window.slow, calls: window.count)
      else { return nil }
      return move(to: .open, now: now)
    case .halfOpen:
      guard permit.isTrial else { return nil }
      trials.reported += 1
      if outcome.failed { trials.failures += 1 }
      if outcome.slow { trials.slow += 1 }
      // Every trial must report: closing on the first few good ones would let a dependency
      // that fails one call in five straight back in.
      guard trials.reported >= settings.halfOpenTrialCalls else { return nil }
      let reopen = exceedsThresholds(failures: trials.failures, slow: trials.slow, calls: trials.reported)
      return move(to: reopen ? .open : .closed, now: now)
    case .open, .forcedOpen, .disabled:
      return nil
    }
  }

  /// Hands back a permit whose call says nothing about the dependency (it was not made after
  /// all, or failed for a reason of its own). Nothing is counted; a half-open trial's slot is
  /// freed for the next caller, so the breaker is not left waiting for a report that will
  /// never come.
  package mutating func release(_ permit: BreakerPermit) {
    guard permit.generation == generation, permit.isTrial, state == .halfOpen, trials.issued > trials.reported else { return }
    trials.issued -= 1
  }

  /// Imposes `override` at `now`: forced open refuses everything, disabled lets everything
  /// through uncounted, auto starts again closed with an empty window. Setting the override
  /// already in force changes nothing (auto does not reset an open breaker). Returns the
  /// override that was in force and the state change made.
  package mutating func setOverride(
    _ override: BreakerOverride, now: Double
  ) -> (previous: BreakerOverride, transition: BreakerTransition?) {
    let previous = self.override
    guard override != previous else { return (previous, nil) }
    self.override = override
    let target: BreakerState =
      switch override {
      case .auto: .closed
      case .forcedOpen: .forcedOpen
      case .disabled: .disabled
      }
    return (previous, move(to: target, now: now))
  }

  /// The state and its figures. An open breaker whose `openSeconds` are over still shows
  /// open: it moves to half-open only when the next call asks for a permit.
  package var snapshot: BreakerSnapshot {
    let (failures, slow, calls) =
      switch state {
      case .closed: (window.failures, window.slow, window.count)
      case .halfOpen: (trials.failures, trials.slow, trials.reported)
      case .open, .forcedOpen, .disabled: (0, 0, 0)
      }
    return BreakerSnapshot(
      name: name, state: state, override: override,
      failureRate: Self.rate(failures, of: calls), slowCallRate: Self.rate(slow, of: calls),
      callsInWindow: calls, since: since)
  }

  private func permit(now: Double, isTrial: Bool) -> BreakerPermit {
    BreakerPermit(startedAt: now, isTrial: isTrial, generation: generation)
  }

  /// Strictly above a threshold trips, so a threshold of 0 means "any failure" and 1 "never".
  private func exceedsThresholds(failures: Int, slow: Int, calls: Int) -> Bool {
    Self.rate(failures, of: calls) > settings.failureRateThreshold
      || Self.rate(slow, of: calls) > settings.slowCallRateThreshold
  }

  private static func rate(_ count: Int, of calls: Int) -> Double {
    calls == 0 ? 0 : Double(count) / Double(calls)
  }

  /// Enters `state`: a new generation, so permits issued before are ignored when they report,
  /// and nothing counted from before.
  private mutating func move(to state: BreakerState, now: Double) -> BreakerTransition? {
    let from = self.state
    self.state = state
    since = now
    generation &+= 1
    window.removeAll()
    trials = TrialCounts()
    return from == state ? nil : BreakerTransition(name: name, from: from, to: state, at: now)
  }
}

/// One counted call.
private struct Outcome {
  var failed: Bool
  var slow: Bool
}

/// What the half-open trials have done so far.
private struct TrialCounts {
  var issued = 0
  var reported = 0
  var failures = 0
  var slow = 0
}

/// The last `capacity` outcomes in a ring buffer, with running counts so that recording an
/// outcome and reading the rates cost the same however large the window is.
private struct OutcomeWindow {
  let capacity: Int
  private var outcomes: [Outcome] = []
  /// Once full, the slot of the oldest outcome, the next to be overwritten.
  private var oldest = 0
  private(set) var failures = 0
  private(set) var slow = 0

  init(capacity: Int) {
    self.capacity = capacity
    outcomes.reserveCapacity(capacity)
  }

  var count: Int { outcomes.count }

  mutating func append(_ outcome: Outcome) {
    if outcomes.count < capacity {
      outcomes.append(outcome)
    } else {
      let forgotten = outcomes[oldest]
      if forgotten.failed { failures -= 1 }
      if forgotten.slow { slow -= 1 }
      outcomes[oldest] = outcome
      oldest = (oldest + 1) % capacity
    }
    if outcome.failed { failures += 1 }
    if outcome.slow { slow += 1 }
  }

  mutating func removeAll() {
    outcomes.removeAll(keepingCapacity: true)
    oldest = 0
    failures = 0
    slow = 0
  }
}
