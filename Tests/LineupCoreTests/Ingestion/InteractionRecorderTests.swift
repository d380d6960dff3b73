import Logging
import Synchronization
import Testing

@testable import LineupCore

/// The in-memory store, with writes that fail while `failing` is set.
private final class FlakyInteractionStore: InteractionStore {
  struct Down: Error {}
  let base = InMemoryStore(now: { 1_800_000_000 })
  let failing = Atomic<Bool>(false)

  private func check() throws { if failing.load(ordering: .relaxed) { throw Down() } }
  func claim(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws -> ClaimResult {
    try await base.claim(events, settings: settings, deadline: deadline)
  }
  func apply(_ plan: IngestionPlan, settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws {
    try check()
    try await base.apply(plan, settings: settings, deadline: deadline)
  }
  func complete(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws {
    try await base.complete(events, settings: settings, deadline: deadline)
  }
  func release(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws {
    try await base.release(events, settings: settings, deadline: deadline)
  }
  func recentItems(of userID: String, limit: Int, deadline: ContinuousClock.Instant) async throws -> [String] {
    try await base.recentItems(of: userID, limit: limit, deadline: deadline)
  }
  func coVisited(withEach itemIDs: [String], limit: Int, deadline: ContinuousClock.Instant) async throws -> [String: [PopularityEntry]] {
    try await base.coVisited(withEach: itemIDs, limit: limit, deadline: deadline)
  }
  func creatorsFirstSeen(_ creatorIDs: [String], deadline: ContinuousClock.Instant) async throws -> [String: Int64] {
    try await base.creatorsFirstSeen(creatorIDs, deadline: deadline)
  }
  func latestEvents(limit: Int, deadline: ContinuousClock.Instant) async throws -> [StoredEvent] {
    try await base.latestEvents(limit: limit, deadline: deadline)
  }
}

@Suite("Interaction recorder")
struct InteractionRecorderTests {
  static let logger = Logger(label: "test")

  static func events(_ ids: [String]) -> [Interaction] {
    ids.map { Interaction(eventID: $0, userID: "u1", itemID: "it-\($0)", type: .like, timestamp: 1_800_000_000, context: RequestContext(country: CountryCode("BR"))) }
  }

  @Test("a retried batch counts once; a repeat inside one request counts once")
  func deduplicates() async throws {
    let store = FlakyInteractionStore()
    let recorder = InteractionRecorder(store: store, settings: IngestionSettings(), catalog: CatalogHolder(files: [:]))
    let first = try await recorder.record(Self.events(["1", "2", "2"]), deadline: .now + .seconds(1), logger: Self.logger)
    #expect(first == .init(accepted: 2, duplicates: 1))
    let retry = try await recorder.record(Self.events(["1", "2", "3"]), deadline: .now + .seconds(1), logger: Self.logger)
    #expect(retry == .init(accepted: 1, duplicates: 2))
    #expect(try await store.latestEvents(limit: 10, deadline: .now).map(\.eventID) == ["3", "2", "1"])
  }

  @Test("a failed write acknowledges nothing, releases its claims, and the retry records the batch")
  func failureThenRetry() async throws {
    let store = FlakyInteractionStore()
    let recorder = InteractionRecorder(store: store, settings: IngestionSettings(), catalog: CatalogHolder(files: [:]))
    store.failing.store(true, ordering: .relaxed)
    await #expect(throws: LineupError.self) {
      try await recorder.record(Self.events(["1", "2"]), deadline: .now + .seconds(1), logger: Self.logger)
    }
    #expect(try await store.latestEvents(limit: 10, deadline: .now).isEmpty)
    store.failing.store(false, ordering: .relaxed)
    let retry = try await recorder.record(Self.events(["1", "2"]), deadline: .now + .seconds(1), logger: Self.logger)
    #expect(retry == .init(accepted: 2, duplicates: 0))
  }

  @Test("an event claimed by a concurrent request makes the batch UNAVAILABLE after storing the rest")
  func inFlight() async throws {
    let store = FlakyInteractionStore()
    let recorder = InteractionRecorder(store: store, settings: IngestionSettings(), catalog: CatalogHolder(files: [:]))
    _ = try await store.claim(Self.events(["busy"]), settings: IngestionSettings(), deadline: .now)
    do {
      _ = try await recorder.record(Self.events(["busy", "free"]), deadline: .now + .seconds(1), logger: Self.logger)
      Issue.record("expected UNAVAILABLE")
    } catch {
      #expect(error.code == .unavailable)
    }
    #expect(try await store.latestEvents(limit: 10, deadline: .now).map(\.eventID) == ["free"])
  }
}
