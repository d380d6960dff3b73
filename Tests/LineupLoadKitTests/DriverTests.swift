import Histogram
import Synchronization
import Testing

@testable import LineupLoadKit

/// A fake server: answers at once, except that while `stalled` it holds every request until
/// the stall ends (as a server stuck in a GC pause or a full queue would).
private final class StallingServer: Sendable {
  private let stallUntil: Mutex<ContinuousClock.Instant?> = Mutex(nil)

  func stall(until end: ContinuousClock.Instant) { stallUntil.withLock { $0 = end } }

  func handle() async -> RequestOutcome {
    if let end = stallUntil.withLock({ $0 }), end > .now {
      try? await Task.sleep(until: end, clock: .continuous)
    }
    return RequestOutcome(rpc: "recs", status: "OK", source: "MODEL")
  }
}

@Suite("Open-loop and closed-loop drivers")
struct DriverTests {
  @Test("a constant schedule has rate × duration sends, evenly spaced")
  func constantSchedule() {
    let offsets = ArrivalSchedule.constant(rate: 200, duration: .seconds(2)).offsets()
    #expect(offsets.count == 400)
    #expect(offsets[1] - offsets[0] == .milliseconds(5))
    #expect(offsets.last! < .seconds(2))
  }

  @Test("ramp stages move the rate linearly: 0→100 rps over 2 s sends about 100, then 100 rps for 1 s sends 100")
  func rampSchedule() throws {
    let schedule = try ArrivalSchedule.ramp("2s:100,1s:100")
    let offsets = schedule.offsets()
    let firstStage = offsets.filter { $0 < .seconds(2) }.count
    #expect((85...115).contains(firstStage))
    #expect(offsets.count - firstStage == 100)
    #expect(schedule.duration == .seconds(3))
    #expect(throws: LoadTestError.self) { try ArrivalSchedule.ramp("2s") }
    #expect(throws: LoadTestError.self) { try ArrivalSchedule.ramp("soon:5") }
  }

  @Test("a stalled server shows up as latency, not as fewer samples (coordinated omission corrected)")
  func stallIsLatency() async {
    let server = StallingServer()
    let recorder = LoadRecorder()
    // 100 rps for 1 s, at most 2 in flight; the server stalls for 300 ms from 200 ms in.
    let start = ContinuousClock.now + .milliseconds(20)
    server.stall(until: start + .milliseconds(500))
    let stallStart = start + .milliseconds(200)
    let gate = Task {
      try? await Task.sleep(until: stallStart, clock: .continuous)
    }
    _ = gate
    let offsets = ArrivalSchedule.constant(rate: 100, duration: .seconds(1)).offsets()
    await OpenLoopDriver(maxInFlight: 2).run(
      offsets: offsets,
      start: start,
      send: { _ in
        // Only requests sent after the stall began are held.
        if ContinuousClock.now >= stallStart { return await server.handle() }
        return RequestOutcome(rpc: "recs", status: "OK", source: "MODEL")
      },
      record: { _, intended, completed, outcome in recorder.record(outcome, intended: intended, completed: completed) }
    )
    let histogram = recorder.series["recs"]!.histogram
    // Every scheduled request was sent and recorded, stall or not.
    #expect(histogram.totalCount == 100)
    // Requests meant for 200…500 ms waited for the stall's end: the worst waited ~300 ms,
    // and about 30% of requests saw over 50 ms. A closed-loop count would hide all that.
    #expect(histogram.max >= 250_000)
    #expect(histogram.valueAtPercentile(75) >= 50_000)
  }

  @Test("the closed loop sends exactly the requested count with the given concurrency")
  func closedLoop() async {
    let recorder = LoadRecorder()
    let peak = Mutex((now: 0, max: 0))
    await ClosedLoopDriver(concurrency: 4).run(
      requests: 50,
      send: { _ in
        peak.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
        try? await Task.sleep(for: .milliseconds(2))
        peak.withLock { $0.now -= 1 }
        return RequestOutcome(rpc: "health", status: "OK")
      },
      record: { _, sent, completed, outcome in recorder.record(outcome, intended: sent, completed: completed) }
    )
    #expect(recorder.series["health"]?.histogram.totalCount == 50)
    #expect(peak.withLock { $0.max } <= 4)
  }
}
