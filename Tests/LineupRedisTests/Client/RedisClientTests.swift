import LineupTesting
import Logging
import Testing

@testable import LineupRedis

@Suite("Redis client pool: reconnects and fails fast")
struct RedisClientTests {
  @Test("the pool connects, fails fast while Redis is gone, and reconnects when it is back")
  func reconnects() async throws {
    let redis = try await RedisServerProcess.start()
    var configuration = RedisClient.Configuration(url: redis.url)
    configuration.connections = 2
    configuration.maximumBackoff = .milliseconds(200)
    let client = RedisClient(configuration: configuration, logger: Logger(label: "test"))
    let running = Task { try await client.run() }
    defer { running.cancel() }

    #expect(try await eventually { client.liveConnections == 2 })
    #expect(try await client.send(RedisCommand("PING"), deadline: .now + .seconds(2)) == .status("PONG"))

    redis.kill()
    #expect(try await eventually { client.liveConnections == 0 })
    let clock = ContinuousClock()
    let started = clock.now
    do {
      _ = try await client.send(RedisCommand("PING"), deadline: .now + .seconds(2))
      Issue.record("expected unavailable while Redis is down")
    } catch {
      #expect(error.code == .unavailable)
    }
    // Fails fast: it does not wait for the 2 s deadline or for a reconnect.
    #expect(clock.now - started < .milliseconds(500))

    try await redis.restart()
    #expect(try await eventually { client.liveConnections == 2 })
    #expect(try await client.send(RedisCommand("PING"), deadline: .now + .seconds(2)) == .status("PONG"))
  }

  @Test("cancelling run() closes the pool")
  func shutdown() async throws {
    let redis = try await RedisServerProcess.start()
    let client = RedisClient(configuration: .init(url: redis.url), logger: Logger(label: "test"))
    let running = Task { try await client.run() }
    #expect(try await eventually { client.liveConnections == 2 })
    running.cancel()
    _ = try? await running.value
    #expect(client.liveConnections == 0)
  }

  @Test("a client started before Redis exists picks it up when it appears")
  func startsWithoutRedis() async throws {
    let redis = try await RedisServerProcess.start()
    redis.stop()
    var configuration = RedisClient.Configuration(url: redis.url)
    configuration.maximumBackoff = .milliseconds(200)
    let client = RedisClient(configuration: configuration, logger: Logger(label: "test"))
    let running = Task { try await client.run() }
    defer { running.cancel() }
    try await Task.sleep(for: .milliseconds(300))
    #expect(client.liveConnections == 0)
    try await redis.restart()
    #expect(try await eventually { client.liveConnections == 2 })
  }
}
