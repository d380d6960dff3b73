import Foundation
import LineupCore
import Testing

/// Makes one call at `now` that lasts `duration` and fails or not; the permit must be granted.
@discardableResult
private func call(
  _ machine: inout BreakerStateMachine, at now: Double = 0, failed: Bool, duration: Double = 0
) throws -> BreakerTransition? {
  let permit = try #require(machine.acquire(now: now).permit, "\(machine.state) refused a call at \(now)")
  return machine.record(permit, failed: failed, now: now + duration)
}

/// Opens a default-settings machine (but for a 5 s open wait, so the times below read plainly)
/// at `now` with 20 failures (the minimum number of calls).
private func openedMachine(at now: Double) throws -> BreakerStateMachine {
  var settings = BreakerSettings()
  settings.openSeconds = 5
  var machine = BreakerStateMachine(name: "redis", settings: settings, now: 0)
  for _ in 0..<20 { try call(&machine, at: now, failed: true) }
  try #require(machine.state == .open)
  return machine
}

@Suite("Breaker state machine")
struct BreakerStateMachineTests {
  @Test("below the minimum number of calls it stays closed, even when every call fails")
  func minimumCalls() throws {
    var machine = BreakerStateMachine(name: "redis", now: 0)
    for _ in 0..<19 { try call(&machine, failed: true) }
    #expect(machine.state == .closed)
    #expect(machine.snapshot.callsInWindow == 19)
    #expect(machine.snapshot.failureRate == 1)

    let transition = try call(&machine, at: 3, failed: true)
    #expect(transition == BreakerTransition(name: "redis", from: .closed, to: .open, at: 3))
    #expect(machine.snapshot.callsInWindow == 0, "opening clears the window")
  }

  @Test("2 failures in a full window of 100 keep it closed, the 3rd opens it (strictly above 2%)")
  func failureRateThreshold() throws {
    var machine = BreakerStateMachine(name: "redis", now: 0)
    for _ in 0..<98 { try call(&machine, failed: false) }
    try call(&machine, failed: true)
    try call(&machine, failed: true)
    #expect(machine.state == .closed)
    #expect(machine.snapshot.callsInWindow == 100)
    #expect(machine.snapshot.failureRate == 0.02)

    // The window is full: this failure pushes out a success, making 3 in 100.
    try call(&machine, at: 1, failed: true)
    #expect(machine.state == .open)
    #expect(machine.since == 1)
  }

  @Test("more than half the calls slow opens it, though none failed; exactly half does not")
  func slowCallRate() throws {
    var machine = BreakerStateMachine(name: "redis", now: 0)
    // A call lasting exactly slowCallSeconds (0.1) is slow.
    for _ in 0..<10 { try call(&machine, failed: false, duration: 0.1) }
    for _ in 0..<10 { try call(&machine, failed: false, duration: 0.099) }
    #expect(machine.state == .closed)
    #expect(machine.snapshot.slowCallRate == 0.5)
    #expect(machine.snapshot.failureRate == 0)

    try call(&machine, failed: false, duration: 0.5)
    #expect(machine.state == .open)
  }

  @Test("a failed slow call counts as both failed and slow")
  func failedAndSlow() throws {
    var settings = BreakerSettings()
    settings.failureRateThreshold = 1  // never opens, so the counts stay readable
    settings.slowCallRateThreshold = 1
    var machine = BreakerStateMachine(name: "redis", settings: settings, now: 0)
    try call(&machine, failed: true, duration: 1)
    try call(&machine, failed: false, duration: 1)
    try call(&machine, failed: true, duration: 0)
    try call(&machine, failed: false, duration: 0)
    let snapshot = machine.snapshot
    #expect(snapshot.failureRate == 0.5)
    #expect(snapshot.slowCallRate == 0.5)
    #expect(snapshot.callsInWindow == 4)
  }

  @Test("open refuses until openSeconds have passed; the next acquire is a half-open trial")
  func openThenHalfOpen() throws {
    var machine = try openedMachine(at: 10)
    #expect(machine.acquire(now: 10).permit == nil)
    #expect(machine.acquire(now: 14.999).permit == nil)
    #expect(machine.state == .open)

    let (permit, transition) = machine.acquire(now: 15)
    #expect(permit?.isTrial == true)
    #expect(permit?.startedAt == 15)
    #expect(transition == BreakerTransition(name: "redis", from: .open, to: .halfOpen, at: 15))
    #expect(machine.state == .halfOpen)
    #expect(machine.since == 15)
  }

  @Test("half-open lets through halfOpenTrialCalls trials and refuses the rest until they report")
  func trialLimit() throws {
    var machine = try openedMachine(at: 0)
    let trials = (0..<5).compactMap { _ in machine.acquire(now: 5).permit }
    #expect(trials.count == 5)
    #expect(trials.allSatisfy { $0.isTrial })
    #expect(machine.acquire(now: 5).permit == nil)

    // Four good trials report: still half-open, still refusing, because all must finish.
    for trial in trials.dropLast() { #expect(machine.record(trial, failed: false, now: 5) == nil) }
    #expect(machine.state == .halfOpen)
    #expect(machine.acquire(now: 6).permit == nil)
    #expect(machine.snapshot.callsInWindow == 4)
  }

  @Test("a released trial frees its slot without counting: the next caller gets the trial, and the breaker still closes on five reports")
  func releasedTrial() throws {
    var machine = try openedMachine(at: 0)
    var trials = (0..<5).compactMap { _ in machine.acquire(now: 5).permit }
    #expect(machine.acquire(now: 5).permit == nil)
    machine.release(trials.removeLast())
    #expect(machine.snapshot.callsInWindow == 0)
    trials.append(try #require(machine.acquire(now: 5).permit))
    #expect(machine.acquire(now: 5).permit == nil)
    for trial in trials.dropLast() { #expect(machine.record(trial, failed: false, now: 5) == nil) }
    #expect(machine.record(trials[4], failed: false, now: 5)?.to == .closed)
    // Releasing a permit from before the change, or while closed, changes nothing.
    machine.release(trials[0])
    let closedPermit = try #require(machine.acquire(now: 6).permit)
    machine.release(closedPermit)
    #expect(machine.state == .closed)
    #expect(machine.snapshot.callsInWindow == 0)
  }

  @Test("all trials good closes it with a fresh window")
  func trialsClose() throws {
    var machine = try openedMachine(at: 0)
    let trials = (0..<5).compactMap { _ in machine.acquire(now: 5).permit }
    var transitions: [BreakerTransition] = []
    for trial in trials {
      if let transition = machine.record(trial, failed: false, now: 5.01) { transitions.append(transition) }
    }
    #expect(transitions == [BreakerTransition(name: "redis", from: .halfOpen, to: .closed, at: 5.01)])
    #expect(machine.snapshot.callsInWindow == 0)
    #expect(machine.acquire(now: 5.02).permit?.isTrial == false)
  }

  @Test("one failed trial in five (20% > 2%) opens it again, for another openSeconds")
  func trialFails() throws {
    var machine = try openedMachine(at: 0)
    let trials = (0..<5).compactMap { _ in machine.acquire(now: 5).permit }
    for trial in trials.dropLast() { _ = machine.record(trial, failed: false, now: 5) }
    let transition = machine.record(trials[4], failed: true, now: 6)
    #expect(transition == BreakerTransition(name: "redis", from: .halfOpen, to: .open, at: 6))
    #expect(machine.acquire(now: 10.9).permit == nil)
    #expect(machine.acquire(now: 11).permit?.isTrial == true)
  }

  @Test("trials slower than the slow threshold open it again")
  func trialsSlow() throws {
    var machine = try openedMachine(at: 0)
    let trials = (0..<5).compactMap { _ in machine.acquire(now: 5).permit }
    for trial in trials.prefix(2) { _ = machine.record(trial, failed: false, now: 5) }
    for trial in trials.suffix(3) { _ = machine.record(trial, failed: false, now: 5.2) }
    #expect(machine.state == .open)
  }

  @Test("forced open refuses everything, whatever the calls did")
  func forcedOpen() throws {
    var machine = BreakerStateMachine(name: "redis", now: 0)
    try call(&machine, failed: false)
    let (previous, transition) = machine.setOverride(.forcedOpen, now: 2)
    #expect(previous == .auto)
    #expect(transition == BreakerTransition(name: "redis", from: .closed, to: .forcedOpen, at: 2))
    #expect(machine.acquire(now: 3).permit == nil)
    #expect(machine.acquire(now: 1_000).permit == nil, "forced open does not time out into half-open")
    #expect(
      machine.snapshot
        == BreakerSnapshot(
          name: "redis", state: .forcedOpen, override: .forcedOpen, failureRate: 0, slowCallRate: 0,
          callsInWindow: 0, since: 2))
  }

  @Test("disabled lets everything through and counts nothing")
  func disabled() throws {
    var machine = BreakerStateMachine(name: "redis", now: 0)
    _ = machine.setOverride(.disabled, now: 1)
    for _ in 0..<200 { #expect(try call(&machine, at: 2, failed: true, duration: 9) == nil) }
    #expect(machine.state == .disabled)
    #expect(
      machine.snapshot
        == BreakerSnapshot(
          name: "redis", state: .disabled, override: .disabled, failureRate: 0, slowCallRate: 0,
          callsInWindow: 0, since: 1))
  }

  @Test("auto after an override starts again closed with an empty window")
  func autoAfterOverride() throws {
    var machine = try openedMachine(at: 0)
    _ = machine.setOverride(.forcedOpen, now: 1)
    let (previous, transition) = machine.setOverride(.auto, now: 2)
    #expect(previous == .forcedOpen)
    #expect(transition == BreakerTransition(name: "redis", from: .forcedOpen, to: .closed, at: 2))
    #expect(
      machine.snapshot
        == BreakerSnapshot(
          name: "redis", state: .closed, override: .auto, failureRate: 0, slowCallRate: 0, callsInWindow: 0,
          since: 2))
    #expect(machine.acquire(now: 2).permit != nil)
  }

  @Test("setting the override already in force changes nothing; auto does not reset an open breaker")
  func sameOverride() throws {
    var machine = try openedMachine(at: 0)
    let generation = machine.generation
    let (previous, transition) = machine.setOverride(.auto, now: 1)
    #expect(previous == .auto)
    #expect(transition == nil)
    #expect(machine.state == .open)
    #expect(machine.generation == generation)
  }

  @Test("an outcome from before a state change is ignored")
  func stalePermits() throws {
    var machine = BreakerStateMachine(name: "redis", now: 0)
    let early = try #require(machine.acquire(now: 0).permit)
    for _ in 0..<20 { try call(&machine, failed: true) }
    #expect(machine.state == .open)
    #expect(machine.record(early, failed: false, now: 1) == nil)

    // Half-open: trials are out; the closed-era permit must not count as a trial.
    let trials = (0..<5).compactMap { _ in machine.acquire(now: 5).permit }
    for trial in trials.dropLast() { _ = machine.record(trial, failed: false, now: 5) }
    #expect(machine.record(early, failed: false, now: 5) == nil)
    #expect(machine.state == .halfOpen)
    #expect(machine.snapshot.callsInWindow == 4)

    // A trial that outlives an override and a return to auto is not counted in the new window.
    _ = machine.setOverride(.forcedOpen, now: 6)
    _ = machine.setOverride(.auto, now: 7)
    #expect(machine.record(trials[4], failed: true, now: 8) == nil)
    #expect(machine.snapshot.callsInWindow == 0)
  }

  @Test("the window holds the last windowSize outcomes: older failures are forgotten")
  func windowSlides() throws {
    var settings = BreakerSettings()
    settings.windowSize = 10
    settings.minimumCalls = 10
    settings.failureRateThreshold = 0.25
    var machine = BreakerStateMachine(name: "redis", settings: settings, now: 0)
    try call(&machine, failed: true)
    try call(&machine, failed: true)
    for _ in 0..<8 { try call(&machine, failed: false) }
    #expect(machine.snapshot.failureRate == 0.2)
    // Two more successes push both failures out of the window.
    try call(&machine, failed: false)
    #expect(machine.snapshot.failureRate == 0.1)
    try call(&machine, failed: false)
    #expect(machine.snapshot.failureRate == 0)
    #expect(machine.snapshot.callsInWindow == 10)

    // Had the window kept them, 2 + 2 failures in 12 would not be 0.3.
    for _ in 0..<2 { try call(&machine, failed: true) }
    #expect(machine.state == .closed)
    try call(&machine, failed: true)
    #expect(machine.state == .open)
  }

  @Test("window rates match a naive count of the last windowSize outcomes", arguments: [1, 7, 100])
  func windowMatchesNaiveCount(windowSize: Int) throws {
    var settings = BreakerSettings()
    settings.windowSize = windowSize
    settings.minimumCalls = 1
    settings.failureRateThreshold = 1  // never opens
    settings.slowCallRateThreshold = 1
    var machine = BreakerStateMachine(name: "redis", settings: settings, now: 0)
    var history: [(failed: Bool, slow: Bool)] = []
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<500 {
      // A linear congruential step: deterministic, so a failure reproduces.
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let failed = (seed >> 33) % 3 == 0
      let slow = (seed >> 40) % 4 == 0
      try call(&machine, failed: failed, duration: slow ? 0.2 : 0)
      history.append((failed, slow))
      let recent = history.suffix(windowSize)
      let snapshot = machine.snapshot
      #expect(snapshot.callsInWindow == recent.count)
      #expect(snapshot.failureRate == Double(recent.filter(\.failed).count) / Double(recent.count))
      #expect(snapshot.slowCallRate == Double(recent.filter(\.slow).count) / Double(recent.count))
    }
  }
}

@Suite("Breaker settings")
struct BreakerSettingsTests {
  @Test("the defaults are valid")
  func defaultsValid() {
    #expect(BreakerSettings().problem == nil)
  }

  /// Settings with one field made invalid, and the field the problem must name.
  static let broken: [(field: String, settings: BreakerSettings)] = [
    ("windowSize", changed { $0.windowSize = 0 }),
    ("minimumCalls", changed { $0.minimumCalls = 0 }),
    ("minimumCalls", changed { $0.minimumCalls = 101 }),
    ("failureRateThreshold", changed { $0.failureRateThreshold = -0.1 }),
    ("failureRateThreshold", changed { $0.failureRateThreshold = .nan }),
    ("slowCallRateThreshold", changed { $0.slowCallRateThreshold = 1.5 }),
    ("slowCallSeconds", changed { $0.slowCallSeconds = 0 }),
    ("openSeconds", changed { $0.openSeconds = -1 }),
    ("openSeconds", changed { $0.openSeconds = .infinity }),
    ("halfOpenTrialCalls", changed { $0.halfOpenTrialCalls = 0 }),
  ]

  private static func changed(_ change: (inout BreakerSettings) -> Void) -> BreakerSettings {
    var settings = BreakerSettings()
    change(&settings)
    return settings
  }

  @Test("a bad field is named in the problem", arguments: broken)
  func problemNamesField(field: String, settings: BreakerSettings) throws {
    let problem = try #require(settings.problem)
    #expect(problem.hasPrefix(field), "\(problem)")
  }

  @Test("decoding keeps the default of every key the configuration leaves out")
  func decodesPartially() throws {
    let json = Data(#"{"openSeconds": 30, "windowSize": 50}"#.utf8)
    let settings = try JSONDecoder().decode(BreakerSettings.self, from: json)
    var expected = BreakerSettings()
    expected.openSeconds = 30
    expected.windowSize = 50
    #expect(settings == expected)
    let roundTripped = try JSONDecoder().decode(BreakerSettings.self, from: JSONEncoder().encode(settings))
    #expect(roundTripped == settings)
  }
}
