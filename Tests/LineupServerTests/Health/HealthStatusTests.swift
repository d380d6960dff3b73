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

  @Test("a watcher gets the current state, each change, and the end of its stream on drain")
  func watchers() async {
    let status = HealthStatus(services: ["a.B"])
    var updates = status.watch("a.B").makeAsyncIterator()
    #expect(await updates.next() == .some(.notServing))
    status.markAllServing()
    #expect(await updates.next() == .some(.serving))
    status.beginDraining()
    #expect(await updates.next() == .some(.notServing))
    #expect(await updates.next() == nil)
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
