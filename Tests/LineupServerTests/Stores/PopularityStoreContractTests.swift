import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import Logging
import Testing

/// The store backends the contract runs against.
enum PopularityBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case inMemory
  case redis

  var testDescription: String { rawValue }

  /// Runs `body` with a fresh, empty store of this kind (a real redis-server for `.redis`).
  func withStore(_ body: (any PopularityStore) async throws -> Void) async throws {
    switch self {
    case .inMemory:
      try await body(InMemoryStore())
    case .redis:
      let redis = try await RedisServerProcess.start()
      let client = RedisClient(configuration: .init(url: redis.url), logger: Logger(label: "test"))
      let running = Task { try await client.run() }
      defer { running.cancel() }
      guard try await eventually({ client.liveConnections > 0 }) else {
        throw TestingError("the Redis pool did not connect within 5 s")
      }
      try await body(RedisPopularityStore(client: client, commandTimeout: .seconds(2)))
    }
  }
}

/// One behaviour contract for every PopularityStore: the embedded store `make run` uses and
/// the Redis-backed one must be interchangeable.
@Suite("PopularityStore contract")
struct PopularityStoreContractTests {
  static let br = CountryCode("BR")!
  static let us = CountryCode("US")!

  @Test("an unknown country has no entries", arguments: PopularityBackend.allCases)
  func empty(backend: PopularityBackend) async throws {
    try await backend.withStore { (store: any PopularityStore) async throws in
      #expect(try await store.topItems(in: Self.br, limit: 10).isEmpty)
    }
  }

  @Test("entries are ranked, summed, normalized to the top item and limited", arguments: PopularityBackend.allCases)
  func ranking(backend: PopularityBackend) async throws {
    try await backend.withStore { (store: any PopularityStore) async throws in
      try await store.addPopularity(2, itemID: "a", in: Self.br)
      try await store.addPopularity(8, itemID: "b", in: Self.br)
      try await store.addPopularity(2, itemID: "a", in: Self.br)
      try await store.addPopularity(1, itemID: "c", in: Self.br)
      let top = try await store.topItems(in: Self.br, limit: 10)
      #expect(top.map(\.itemID) == ["b", "a", "c"])
      #expect(top.map(\.score) == [1, 0.5, 0.125])
      #expect(try await store.topItems(in: Self.br, limit: 2).map(\.itemID) == ["b", "a"])
    }
  }

  @Test("countries are independent", arguments: PopularityBackend.allCases)
  func isolation(backend: PopularityBackend) async throws {
    try await backend.withStore { (store: any PopularityStore) async throws in
      try await store.addPopularity(1, itemID: "x", in: Self.us)
      #expect(try await store.topItems(in: Self.br, limit: 10).isEmpty)
      #expect(try await store.topItems(in: Self.us, limit: 10).map(\.itemID) == ["x"])
    }
  }

  @Test("non-positive and non-finite weights are ignored", arguments: PopularityBackend.allCases)
  func badWeights(backend: PopularityBackend) async throws {
    try await backend.withStore { (store: any PopularityStore) async throws in
      for weight in [0, -3, Double.nan, .infinity] {
        try await store.addPopularity(weight, itemID: "x", in: Self.br)
      }
      #expect(try await store.topItems(in: Self.br, limit: 10).isEmpty)
    }
  }
}
