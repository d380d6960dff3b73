import LineupServer
import Testing

@Suite("HealthStatus")
struct HealthStatusTests {
  @Test("services start NOT_SERVING, serve after startup, and stop serving when draining")
  func lifecycle() {
    let status = HealthStatus(services: ["a.B"])
    #expect(status.status(of: "") == .notServing)
    #expect(status.status(of: "a.B") == .notServing)
    #expect(status.status(of: "c.D") == nil)
    status.markAllServing()
    #expect(status.all == ["": .serving, "a.B": .serving])
    status.beginDraining()
    #expect(status.all == ["": .notServing, "a.B": .notServing])
  }

  @Test("a watcher sees each change once, and its stream ends on drain")
  func watchers() async {
    let status = HealthStatus(services: ["a.B"])
    let stream = status.watch("a.B")
    status.markAllServing()
    status.markAllServing()  // no change, no update
    status.beginDraining()
    var seen: [HealthStatus.Status?] = []
    for await update in stream { seen.append(update) }
    #expect(seen.last == .notServing)
    #expect(seen.contains(.serving) || seen.count == 2)
  }

  @Test("watching after the drain began gives the final state and ends at once")
  func watchAfterDrain() async {
    let status = HealthStatus(services: [])
    status.beginDraining()
    var seen: [HealthStatus.Status?] = []
    for await update in status.watch("") { seen.append(update) }
    #expect(seen == [.notServing])
  }
}
