import Foundation
import Synchronization
import Testing

@testable import LineupCore

/// A shared counter that escaping closures can capture (an Atomic itself cannot be copied).
private final class Counter: Sendable {
  private let value = Atomic<Int>(0)
  func increment() { value.add(1, ordering: .relaxed) }
  var count: Int { value.load(ordering: .relaxed) }
}

@Suite("Single flight, write-behind, TTL jitter, request budget")
struct CacheToolsTests {
  @Test("concurrent callers of one key compute once and share the result")
  func singleFlight() async {
    let flight = SingleFlight<String, Int>()
    let computations = Counter()
    let (gate, open) = AsyncStream.makeStream(of: Void.self)
    let deadline = ContinuousClock.now + .seconds(60)
    let results = await withTaskGroup(of: (Int, Bool).self) { group in
      for _ in 0..<20 {
        group.addTask {
          await flight.run("k", deadline: deadline) {
            computations.increment()
            for await _ in gate { break }
            return 42
          }
        }
      }
      // Let every caller join before the computation finishes.
      while flight.pending == 0 { await Task.yield() }
      try? await Task.sleep(for: .milliseconds(50))
      open.yield()
      return await group.reduce(into: []) { $0.append($1) }
    }
    #expect(results.allSatisfy { $0.0 == 42 })
    #expect(computations.count == 1)
    #expect(results.filter { !$0.1 }.count == 1)
    #expect(flight.pending == 0)
  }

  @Test("a caller with a tighter deadline than the running computation computes alone instead of waiting for it")
  func singleFlightHonoursTighterDeadlines() async {
    let flight = SingleFlight<String, Int>()
    let (gate, open) = AsyncStream.makeStream(of: Void.self)
    let late = ContinuousClock.now + .seconds(60)
    async let leader = flight.run("k", deadline: late) {
      for await _ in gate { break }
      return 1
    }
    while flight.pending == 0 { await Task.yield() }
    // The leader is parked on the gate; a follower that may not wait that long gets its own
    // answer while the leader is still running.
    let hurried = await flight.run("k", deadline: late - .seconds(30)) { 2 }
    #expect(hurried.value == 2 && !hurried.shared)
    #expect(flight.pending == 1)
    open.yield()
    #expect(await leader.value == 1)
  }

  @Test("write-behind runs every queued write and flushes on finish")
  func writeBehindFlushes() async {
    let queue = WriteBehindQueue(capacity: 100, maxConcurrentWrites: 4)
    let done = Counter()
    for _ in 0..<50 { #expect(queue.submit { done.increment() }) }
    queue.finish()
    await queue.run()
    #expect(done.count == 50)
    #expect(queue.completed == 50)
    #expect(!queue.submit {})
  }

  @Test("a full write-behind queue drops and counts instead of blocking")
  func writeBehindDrops() async {
    let queue = WriteBehindQueue(capacity: 3)
    let accepted = (0..<10).filter { _ in queue.submit {} }.count
    #expect(accepted == 3)
    #expect(queue.dropped == 7)
    queue.finish()
    await queue.run()
    #expect(queue.completed == 3)
  }

  @Test("TTLs are jittered by at most ±10% and never below 1 s")
  func jitter() {
    let ttls = TTLBudgets()
    #expect(ttls.jittered(300, unit: 0) == 270)
    #expect(ttls.jittered(300, unit: 0.5) == 300)
    #expect(ttls.jittered(300, unit: 0.999_999) == 330)
    for _ in 0..<1_000 { #expect((270...330).contains(ttls.jittered(300))) }
    #expect(ttls.jittered(1, unit: 0) == 1)
  }

  @Test("the store deadline is the caller's less the margin, capped, or nil when too short")
  func budget() {
    let now = ContinuousClock.now
    #expect(RequestBudget().storeDeadline(now: now) == now + .milliseconds(50))
    #expect(RequestBudget(rpcDeadline: now + .milliseconds(20)).storeDeadline(now: now) == now + .milliseconds(15))
    #expect(RequestBudget(rpcDeadline: now + .seconds(10)).storeDeadline(now: now) == now + .milliseconds(50))
    #expect(RequestBudget(rpcDeadline: now + .milliseconds(5)).storeDeadline(now: now) == nil)
    #expect(RequestBudget(rpcDeadline: now - .seconds(1)).storeDeadline(now: now) == nil)
  }

  @Test("forward decay: rescaling never changes the ranking, and a half-life halves a weight")
  func decay() async throws {
    let br = CountryCode("BR")!
    let decay = PopularityDecay(halfLife: 10)
    let store = InMemoryStore()
    try await store.addPopularity([PopularityIncrement(country: br, itemID: "old", weight: 4, at: 0)], decay: decay, deadline: .now)
    // 40 half-lives later: a rescale happens; "old" is now worth 4·2^-40, "new" 1.
    try await store.addPopularity([PopularityIncrement(country: br, itemID: "new", weight: 1, at: 400)], decay: decay, deadline: .now)
    let top = try await store.topItems(in: br, limit: 2, deadline: .now)
    #expect(top.map(\.itemID) == ["new", "old"])
    #expect(abs(top[1].score - 4 * pow(2, -40)) < 1e-15)
    try await store.addPopularity([PopularityIncrement(country: br, itemID: "half", weight: 2, at: 390)], decay: decay, deadline: .now)
    #expect(try await store.topItems(in: br, limit: 3, deadline: .now).map(\.score).prefix(2) == [1, 1])
  }
}
