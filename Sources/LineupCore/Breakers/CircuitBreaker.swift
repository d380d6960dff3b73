import Synchronization

/// A circuit breaker for one dependency, shared by every request that calls it: while the
/// dependency fails or is slow, callers are refused at once and serve their fallback instead
/// of waiting on it. The rules live in `BreakerStateMachine`; this type holds one behind a
/// `Mutex`, reads the clock and reports state changes.
package final class CircuitBreaker: Sendable {
  /// What the lock guards: the machine, and the state changes not yet handed to
  /// `onTransition`.
  private struct Guarded {
    var machine: BreakerStateMachine
    var undelivered: [BreakerTransition] = []
    /// Whether some caller is handing `undelivered` to `onTransition` right now.
    var delivering = false
  }

  package let name: String
  package let settings: BreakerSettings
  private let clock: @Sendable () -> Double
  private let onTransition: @Sendable (BreakerTransition) -> Void
  private let guarded: Mutex<Guarded>

  /// - Parameters:
  ///   - settings: must be valid (`settings.problem == nil`); check them where they are read.
  ///   - clock: seconds on a monotonic clock; tests pass one they move by hand.
  ///   - onTransition: told of every state change, in order, never while the lock is held,
  ///     so it may log, update metrics or even read this breaker.
  package init(
    name: String,
    settings: BreakerSettings = BreakerSettings(),
    clock: @escaping @Sendable () -> Double,
    onTransition: @escaping @Sendable (BreakerTransition) -> Void = { _ in }
  ) {
    self.name = name
    self.settings = settings
    self.clock = clock
    self.onTransition = onTransition
    self.guarded = Mutex(Guarded(machine: BreakerStateMachine(name: name, settings: settings, now: clock())))
  }

  /// A permit for one call; record its outcome with `record(_:failed:)`. Every permit must
  /// be recorded: the half-open state waits for all its trials, so a trial permit dropped
  /// without a record keeps the breaker half-open (`run` always records).
  ///
  /// nil: refused — the caller serves its fallback at once, without touching the dependency.
  package func acquire() -> BreakerPermit? {
    acquireOrRefusingState().permit
  }

  /// Counts the outcome of the call `permit` allowed; its duration is `clock()` minus the
  /// permit's start. An outcome from before the last state change is ignored.
  package func record(_ permit: BreakerPermit, failed: Bool) {
    let now = clock()
    update { machine in ((), machine.record(permit, failed: failed, now: now)) }
  }

  /// `permit` timed from now: for a permit taken ahead of its call (so the decision is known
  /// early), whose duration must still be the call's own.
  package func restartingClock(_ permit: BreakerPermit) -> BreakerPermit {
    BreakerPermit(startedAt: clock(), isTrial: permit.isTrial, generation: permit.generation)
  }

  /// Hands back a permit without an outcome (`BreakerStateMachine.release`): for a call
  /// that was not made, or whose failure was not the dependency's.
  package func release(_ permit: BreakerPermit) {
    update { machine in
      machine.release(permit)
      return ((), nil)
    }
  }

  /// Runs body if permitted; throws BreakerOpenError when refused; records failure when body
  /// throws (any error) and success otherwise.
  ///
  /// `nonisolated(nonsending)`: body runs on the caller's actor, so it may use that actor's
  /// state (an actor's store call, say) without being `@Sendable`.
  package nonisolated(nonsending) func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
    let (permit, state) = acquireOrRefusingState()
    guard let permit else { throw BreakerOpenError(name: name, state: state) }
    let value: T
    do {
      value = try await body()
    } catch {
      record(permit, failed: true)
      throw error
    }
    record(permit, failed: false)
    return value
  }

  package var snapshot: BreakerSnapshot {
    guarded.withLock { $0.machine.snapshot }
  }

  /// Imposes an operator's override (see `BreakerStateMachine.setOverride`).
  @discardableResult package func setOverride(_ override: BreakerOverride) -> BreakerOverride {
    let now = clock()
    return update { machine in machine.setOverride(override, now: now) }
  }

  /// A permit, or nil with the state that refused it, read under one lock so the state
  /// named in a `BreakerOpenError` is the one that refused.
  private func acquireOrRefusingState() -> (permit: BreakerPermit?, state: BreakerState) {
    let now = clock()
    return update { machine in
      let (permit, transition) = machine.acquire(now: now)
      return ((permit, machine.state), transition)
    }
  }

  /// Applies `body` to the machine under the lock and hands any state change it made to
  /// `onTransition` after the lock is released. The clock is read by callers before they
  /// take the lock, so no outside code runs while it is held.
  private func update<Result: Sendable>(
    _ body: (inout BreakerStateMachine) -> (Result, BreakerTransition?)
  ) -> Result {
    let (result, mustDeliver) = guarded.withLock { guarded -> (Result, Bool) in
      let (result, transition) = body(&guarded.machine)
      guard let transition else { return (result, false) }
      guarded.undelivered.append(transition)
      // Whoever is already delivering will hand this one over too, after the earlier ones.
      if guarded.delivering { return (result, false) }
      guarded.delivering = true
      return (result, true)
    }
    if mustDeliver { deliverTransitions() }
    return result
  }

  /// Hands queued state changes to `onTransition` until none are left. Only one caller does
  /// this at a time, so changes arrive in the order they happened even when callers on
  /// different threads cause them; a change made from inside `onTransition` is queued and
  /// delivered next rather than recursively.
  private func deliverTransitions() {
    while true {
      let batch = guarded.withLock { guarded -> [BreakerTransition] in
        if guarded.undelivered.isEmpty {
          guarded.delivering = false
          return []
        }
        defer { guarded.undelivered.removeAll() }
        return guarded.undelivered
      }
      if batch.isEmpty { return }
      for transition in batch { onTransition(transition) }
    }
  }
}

/// Thrown by `CircuitBreaker.run` when the breaker refused the call, which was not made: the
/// caller serves its fallback.
package struct BreakerOpenError: Error, Sendable, CustomStringConvertible {
  package var name: String
  /// The state that refused: open, half-open with all its trials out, or forced open.
  package var state: BreakerState

  package init(name: String, state: BreakerState) {
    self.name = name
    self.state = state
  }

  package var description: String {
    let why =
      switch state {
      case .open: "it is open after too many failed or slow calls"
      case .halfOpen: "it is half-open and all its trial calls are out"
      case .forcedOpen: "an operator forced it open"
      case .closed, .disabled: "it is \(state.rawValue)"
      }
    return "circuit breaker \"\(name)\" refused the call: \(why)"
  }
}
