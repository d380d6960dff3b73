import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import Logging
import Testing

/// The store backends the contract suite runs against: the embedded in-memory store and a
/// real redis-server started for the test on a free loopback port.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case inMemory
  case redis

  var testDescription: String { rawValue }

  /// Runs `body` with a fresh, empty store of this kind; the Redis server is torn down after.
  func withStore(_ body: (any LineupStore) async throws -> Void) async throws {
    switch self {
    case .inMemory:
      try await body(InMemoryStore())
    case .redis:
      let redis = try await RedisServerProcess.start()
      let client = RedisClient(configuration: .init(url: redis.url), logger: Logger(label: "test"))
      let running = Task { try await client.run() }
      defer { running.cancel() }
      guard try await eventually({ client.isConnected }) else {
        throw TestingError("the Redis pool did not connect within 5 s")
      }
      try await body(RedisStore(redis: client))
    }
  }
}

/// A generous deadline for contract calls: the contract is about behaviour, not speed.
var soon: ContinuousClock.Instant { .now + .seconds(5) }
