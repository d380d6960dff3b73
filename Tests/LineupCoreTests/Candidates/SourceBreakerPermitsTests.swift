import Testing

@testable import LineupCore

@Suite("Candidate-source breaker permits")
struct SourceBreakerPermitsTests {
  /// A control plane whose breakers open after one failure, wait 1 s, and try one call.
  private static func control(clock: SetTestClock) -> ControlPlane {
    var settings = BreakerSettings()
    (settings.windowSize, settings.minimumCalls, settings.failureRateThreshold) = (1, 1, 0)
    (settings.openSeconds, settings.halfOpenTrialCalls) = (1, 1)
    return ControlPlane(defaults: FlagCatalog.defaults(), breakerSettings: settings, clock: clock.read)
  }

  @Test("a refusing breaker's source is named refused; a source the flags already left out spends no permit")
  func refusedAndSkipped() throws {
    let clock = SetTestClock()
    let control = Self.control(clock: clock)
    try #require(control.breaker(BreakerCatalog.sourceCoVisitation)).setOverride(BreakerOverride.forcedOpen)
    let permits = SourceBreakerPermits(control: control, skipping: [])
    #expect(permits.refused == [CandidateSourceName.coVisitation])
    permits.record(.model, failed: true)
    #expect(control.breaker(BreakerCatalog.sourceModel)?.snapshot.state == .open)

    // Skipped: no permit was taken, so recording for it changes nothing.
    clock.set(10)
    let skipping = SourceBreakerPermits(control: control, skipping: [.model, .coVisitation])
    #expect(skipping.refused.isEmpty)
    skipping.record(.model, failed: false)
    #expect(control.breaker(BreakerCatalog.sourceModel)?.snapshot.state == .open)
  }

  @Test("a half-open trial that is never recorded is released when the permits go away: the next request gets the trial, and its success closes the breaker")
  func unrecordedTrialIsReleased() throws {
    let clock = SetTestClock()
    let control = Self.control(clock: clock)
    let breaker = try #require(control.breaker(BreakerCatalog.sourceModel))
    SourceBreakerPermits(control: control, skipping: []).record(.model, failed: true)
    #expect(breaker.snapshot.state == .open)
    clock.set(2)
    // A cache hit, say: the model's read is never reported, and the permits go away.
    withExtendedLifetime(SourceBreakerPermits(control: control, skipping: [])) { abandoned in
      #expect(abandoned.refused.isEmpty, "past the wait: the one trial")
      #expect(SourceBreakerPermits(control: control, skipping: []).refused == [.model], "the trial is out")
    }
    let next = SourceBreakerPermits(control: control, skipping: [])
    #expect(next.refused.isEmpty, "the abandoned trial was handed back")
    next.record(.model, failed: false)
    #expect(breaker.snapshot.state == .closed)
  }

  @Test("without a control plane every source runs, unguarded; a source's call is timed from startCall, not from when its permit was taken")
  func noControlPlaneAndCallTiming() throws {
    #expect(SourceBreakerPermits(control: nil, skipping: []).refused.isEmpty)

    // Slow is ≥ 0.1 s: a permit taken at 0 whose call starts at 5 and ends at 5.05 is not slow.
    let clock = SetTestClock()
    var settings = BreakerSettings()
    (settings.windowSize, settings.minimumCalls, settings.slowCallRateThreshold) = (1, 1, 0)
    let control = ControlPlane(defaults: FlagCatalog.defaults(), breakerSettings: settings, clock: clock.read)
    let timed = SourceBreakerPermits(control: control, skipping: [])
    clock.set(5)
    timed.startCall(.coVisitation)
    clock.set(5.05)
    timed.record(.coVisitation, failed: false)
    #expect(control.breaker(BreakerCatalog.sourceCoVisitation)?.snapshot.state == .closed)
    // Without startCall the same call counts from 0: slow, and the breaker opens.
    let untimed = SourceBreakerPermits(control: control, skipping: [])
    clock.set(10)
    untimed.record(.coVisitation, failed: false)
    #expect(control.breaker(BreakerCatalog.sourceCoVisitation)?.snapshot.state == .open)
  }
}
