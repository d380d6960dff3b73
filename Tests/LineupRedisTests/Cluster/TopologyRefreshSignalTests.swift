import Testing

@testable import LineupRedis

/// The wake-up between commands that learn the map is stale and the topology loop.
@Suite("Topology refresh signal", .timeLimit(.minutes(1)))
struct TopologyRefreshSignalTests {
  @Test("a request made before the wait is not lost")
  func requestBeforeWait() async {
    let signal = TopologyRefreshSignal()
    signal.request()
    #expect(await signal.wait(timeout: .seconds(30)))
  }

  @Test("a request wakes a waiter; without one the wait times out")
  func requestWakesWaiter() async throws {
    let signal = TopologyRefreshSignal()
    #expect(await signal.wait(timeout: .milliseconds(20)) == false)
    let waiting = Task { await signal.wait(timeout: .seconds(30)) }
    try await Task.sleep(for: .milliseconds(50))
    signal.request()
    #expect(await waiting.value)
  }

  @Test("a burst of requests is one wake-up; clear() forgets them")
  func coalesces() async {
    let signal = TopologyRefreshSignal()
    for _ in 0..<1_000 { signal.request() }
    #expect(await signal.wait(timeout: .seconds(30)))
    #expect(await signal.wait(timeout: .milliseconds(20)) == false)
    signal.request()
    signal.clear()
    #expect(await signal.wait(timeout: .milliseconds(20)) == false)
  }

  @Test("cancelling the waiter ends the wait")
  func cancellation() async {
    let signal = TopologyRefreshSignal()
    let waiting = Task { await signal.wait(timeout: .seconds(3600)) }
    waiting.cancel()
    #expect(await waiting.value == false)
  }
}
