import LineupCore
import LineupRedis
import LineupServer
import LineupTesting
import Logging
import Testing

/// The store backends the contract suite runs against: the embedded in-memory store, a real
/// redis-server and a real 3-master Redis Cluster, each started for the test on free
/// loopback ports and torn down after.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case inMemory
  case redis
  case cluster

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
    case .cluster:
      let cluster = try await RedisClusterProcess.start(masters: 3)
      let client = RedisClusterClient(configuration: .init(seeds: cluster.seedURLs), logger: Logger(label: "test"))
      let running = Task { try await client.run() }
      defer { running.cancel() }
      guard try await eventually(timeout: .seconds(10), { client.isConnected && client.slotMap?.assignedSlots == 16_384 }) else {
        throw TestingError("the cluster client did not map all slots within 10 s")
      }
      try await body(RedisStore(redis: client))
    }
  }
}

/// A generous deadline for contract calls: the contract is about behaviour, not speed.
var soon: ContinuousClock.Instant { .now + .seconds(5) }
