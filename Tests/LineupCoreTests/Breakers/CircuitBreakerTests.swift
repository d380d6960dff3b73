import LineupCore
import Synchronization
import Testing

/// A clock the test moves by hand.
private final class ManualClock: Sendable {
  private let seconds: Mutex<Double>
  init(_ start: Double = 0) { seconds = Mutex(start) }
  var now: Double { seconds.withLock { $0 } }
  func advance(by delta: Double) { seconds.withLock { $0 += delta } }
}

/// A clock that moves a millisecond every time it is read, so concurrent callers see time
/// pass without sleeping.
private final class TickingClock: Sendable {
  private let reads = Atomic<Int>(0)
  var now: Double { Double(reads.add(1, ordering: .relaxed).oldValue) / 1_000 }
}

/// Whatever `onTransition` was told, in order.
private final class TransitionLog: Sendable {
  private let entries = Mutex<[BreakerTransition]>([])
  func append(_ transition: BreakerTransition) { entries.withLock { $0.append(transition) } }
  var all: [BreakerTransition] { entries.withLock { $0 } }
}

/// Lets `onTransition` reach the breaker it is handed to, which exists only after.
private final class BreakerBox: Sendable {
  private let breaker = Mutex<CircuitBreaker?>(nil)
  func set(_ breaker: CircuitBreaker) { self.breaker.withLock { $0 = breaker } }
  var value: CircuitBreaker? { breaker.withLock { $0 } }
}

/// What the concurrent callers saw, shared by their tasks.
private final class Tally: Sendable {
  let granted = Atomic<Int>(0)
  let refused = Atomic<Int>(0)
  let largestWindow = Atomic<Int>(0)
  /// Trial permits handed out per half-open period.
  let trialsByGeneration = Mutex<[UInt64: Int]>([:])
}

private struct DependencyDown: Error {}

/// A caller that guards its own state's work with a breaker: `run`'s body uses actor state.
private actor GuardedCounter {
  let breaker = CircuitBreaker(name: "counter", clock: { 0 })
  var count = 0
  func increment() async throws -> Int {
    try await breaker.run {
      count += 1
      return count
    }
  }
}

@Suite("Circuit breaker")
struct CircuitBreakerTests {
  @Test("every state change is reported, in order, at the clock's time")
  func transitionsInOrder() throws {
    let clock = ManualClock(1)
    let log = TransitionLog()
    let breaker = CircuitBreaker(name: "redis-read", clock: { clock.now }, onTransition: log.append)
    for _ in 0..<20 { breaker.record(try #require(breaker.acquire()), failed: true) }
    clock.advance(by: 5)  // 6
    let failedTrials = (0..<5).compactMap { _ in breaker.acquire() }
    for (index, trial) in failedTrials.enumerated() { breaker.record(trial, failed: index == 0) }
    clock.advance(by: 5)  // 11
    let trials = (0..<5).compactMap { _ in breaker.acquire() }
    for trial in trials { breaker.record(trial, failed: false) }
    clock.advance(by: 1)  // 12
    #expect(breaker.setOverride(.forcedOpen) == .auto)
    clock.advance(by: 1)  // 13
    #expect(breaker.setOverride(.disabled) == .forcedOpen)
    clock.advance(by: 1)  // 14
    #expect(breaker.setOverride(.auto) == .disabled)

    let expected: [(BreakerState, BreakerState, Double)] = [
      (.closed, .open, 1), (.open, .halfOpen, 6), (.halfOpen, .open, 6), (.open, .halfOpen, 11),
      (.halfOpen, .closed, 11), (.closed, .forcedOpen, 12), (.forcedOpen, .disabled, 13), (.disabled, .closed, 14),
    ]
    #expect(log.all == expected.map { BreakerTransition(name: "redis-read", from: $0.0, to: $0.1, at: $0.2) })
  }

  @Test("snapshots follow overrides")
  func snapshots() {
    let clock = ManualClock(3)
    let breaker = CircuitBreaker(name: "redis-write", clock: { clock.now })
    #expect(
      breaker.snapshot
        == BreakerSnapshot(
          name: "redis-write", state: .closed, override: .auto, failureRate: 0, slowCallRate: 0, callsInWindow: 0,
          since: 3))
    breaker.setOverride(.forcedOpen)
    #expect(breaker.acquire() == nil)
    #expect(breaker.snapshot.state == .forcedOpen)
    #expect(breaker.snapshot.override == .forcedOpen)
    breaker.setOverride(.disabled)
    #expect(breaker.acquire() != nil)
    #expect(breaker.snapshot.state == .disabled)
    #expect(breaker.snapshot.override == .disabled)
  }

  @Test("run refuses while open without calling the body, naming the breaker and its state")
  func runRefuses() async throws {
    let breaker = CircuitBreaker(name: "redis-read", clock: { 0 })
    breaker.setOverride(.forcedOpen)
    let error = try await #require(throws: BreakerOpenError.self) {
      try await breaker.run { Issue.record("the body ran while the breaker was forced open") }
    }
    #expect(error.name == "redis-read")
    #expect(error.state == .forcedOpen)
    #expect(error.description == "circuit breaker \"redis-read\" refused the call: an operator forced it open")
  }

  @Test("run counts a throwing body as failed, a returning one as succeeded, both timed by the clock")
  func runRecords() async throws {
    let clock = ManualClock()
    let breaker = CircuitBreaker(name: "redis-read", clock: { clock.now })
    #expect(try await breaker.run { 42 } == 42)
    await #expect(throws: DependencyDown.self) {
      try await breaker.run { () async throws -> Int in throw DependencyDown() }
    }
    try await breaker.run { clock.advance(by: 0.2) }
    let snapshot = breaker.snapshot
    #expect(snapshot.callsInWindow == 3)
    #expect(snapshot.failureRate == 1.0 / 3)
    #expect(snapshot.slowCallRate == 1.0 / 3)
  }

  @Test("run's body may use the calling actor's state")
  func runOnCallersActor() async throws {
    let counter = GuardedCounter()
    #expect(try await counter.increment() == 1)
    #expect(try await counter.increment() == 2)
  }

  @Test("onTransition may read and change the breaker: it is never called under the lock")
  func reentrantObserver() throws {
    let box = BreakerBox()
    let log = TransitionLog()
    let seen = Mutex<[BreakerState]>([])
    let breaker = CircuitBreaker(name: "redis-read", clock: { 0 }) { transition in
      log.append(transition)
      guard let breaker = box.value else { return }
      seen.withLock { $0.append(breaker.snapshot.state) }
      // An operator reacting to the breaker opening: the change is queued, reported next.
      if transition.to == .open { breaker.setOverride(.forcedOpen) }
    }
    box.set(breaker)
    for _ in 0..<20 { breaker.record(try #require(breaker.acquire()), failed: true) }
    #expect(log.all.map(\.to) == [.open, .forcedOpen])
    #expect(seen.withLock { $0 } == [.open, .forcedOpen])
    #expect(breaker.snapshot.state == .forcedOpen)
  }

  @Test("concurrent acquires and records keep the counts and the reported changes consistent")
  func concurrentUse() async throws {
    let settings = {
      var settings = BreakerSettings()
      settings.windowSize = 50
      settings.minimumCalls = 10
      settings.openSeconds = 0.05
      settings.halfOpenTrialCalls = 3
      return settings
    }()
    let clock = TickingClock()
    let log = TransitionLog()
    let breaker = CircuitBreaker(name: "redis-read", settings: settings, clock: { clock.now }, onTransition: log.append)
    let tally = Tally()
    let tasks = 8
    let callsPerTask = 2_000

    await withTaskGroup(of: Void.self) { group in
      for task in 0..<tasks {
        group.addTask {
          for call in 0..<callsPerTask {
            guard let permit = breaker.acquire() else {
              tally.refused.add(1, ordering: .relaxed)
              continue
            }
            tally.granted.add(1, ordering: .relaxed)
            if permit.isTrial { tally.trialsByGeneration.withLock { $0[permit.generation, default: 0] += 1 } }
            // One call in seven fails: far above 2%, so the breaker keeps opening and probing.
            breaker.record(permit, failed: (call + task) % 7 == 0)
            tally.largestWindow.max(breaker.snapshot.callsInWindow, ordering: .relaxed)
            if call % 256 == 0 { await Task.yield() }
          }
        }
      }
    }

    #expect(tally.granted.load(ordering: .relaxed) + tally.refused.load(ordering: .relaxed) == tasks * callsPerTask)
    #expect(tally.largestWindow.load(ordering: .relaxed) <= settings.windowSize)
    #expect(tally.trialsByGeneration.withLock { $0.values.allSatisfy { $0 <= settings.halfOpenTrialCalls } })
    let transitions = log.all
    try #require(!transitions.isEmpty, "the breaker never opened")
    #expect(transitions.first?.from == .closed)
    for (earlier, later) in zip(transitions, transitions.dropFirst()) {
      #expect(earlier.to == later.from, "\(earlier) then \(later)")
      #expect(earlier.at <= later.at)
    }
    #expect(transitions.last?.to == breaker.snapshot.state)
  }
}
