import LineupLoadKit
import Foundation
import Histogram
import LineupRedis
import Logging
import Synchronization

/// Drives LineupRedis the way `redis-benchmark` drives the server, through the API the stores
/// use (`RedisClient.pipeline` / `send`, a pool kept up by `run()`), with the calls made from
/// ordinary Swift tasks as a gRPC handler would make them. Every reply is checked against the
/// seeded value; a wrong or failed reply counts as an error.
struct LineupRedisDriver: Sendable {
  let url: RedisURL
  let key: [UInt8]
  let expectedValue: [UInt8]

  /// How long one call may take before it counts as an error (generous: this measures
  /// throughput, not deadlines).
  static let callTimeout: Duration = .seconds(10)

  /// `connections` pooled connections and as many callers, each looping on a
  /// `pipeline`-command pipeline of GETs until `requests` GETs are sent (the callers claim
  /// batches from a shared counter, as redis-benchmark's clients do from its request count).
  /// The pool hands connections out round robin, so `connections x pipeline` GETs are in flight.
  func throughput(connections: Int, pipeline: Int, requests: Int, warmup: Int, stats: ServerStats) async throws
    -> ClientSample
  {
    try await withClient(connections: connections) { client in
      // Built once, as redis-benchmark builds its command once; formatting still runs per call.
      let batch = Array(repeating: RedisCommand(bytes: [Array("GET".utf8), key]), count: pipeline)
      _ = try await pipelined(client, batch: batch, callers: connections, batches: warmup.divided(by: pipeline))
      return try await stats.measure {
        try await pipelined(client, batch: batch, callers: connections, batches: requests.divided(by: pipeline))
      }
    }
  }

  /// One connection, one GET at a time; every round trip (call to return) in an HdrHistogram.
  func latency(requests: Int, warmup: Int, stats: ServerStats) async throws -> ClientSample {
    try await withClient(connections: 1) { client in
      let command = RedisCommand(bytes: [Array("GET".utf8), key])
      _ = try await sequential(client, command: command, requests: warmup)
      return try await stats.measure { try await sequential(client, command: command, requests: requests) }
    }
  }

  private func pipelined(_ client: RedisClient, batch: [RedisCommand], callers: Int, batches: Int) async throws
    -> ClientSample
  {
    let claimed = BatchCounter()
    let expected = RESPValue.bulk(expectedValue)
    let usageBefore = ProcessUsage.current()
    let clock = ContinuousClock()
    let started = clock.now
    let (histogram, errors) = await withTaskGroup(of: (Histogram<UInt64>, Int).self) { group in
      for _ in 0..<callers {
        group.addTask {
          var histogram = Histogram<UInt64>(
            highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
          var errors = 0
          while claimed.next.wrappingAdd(1, ordering: .relaxed).oldValue < batches {
            let sent = clock.now
            do {
              let replies = try await client.pipeline(batch, deadline: sent + Self.callTimeout)
              for reply in replies where reply != expected { errors += 1 }
            } catch {
              errors += batch.count
            }
            // Per GET, as redis-benchmark records it: from the batch's write to its reply.
            histogram.record(UInt64((clock.now - sent).nanoseconds), count: UInt64(batch.count))
          }
          return (histogram, errors)
        }
      }
      return await group.merged()
    }
    return ClientSample(
      histogram: histogram, errors: errors, elapsedSeconds: (clock.now - started).seconds,
      client: ProcessUsage.current() - usageBefore)
  }

  private func sequential(_ client: RedisClient, command: RedisCommand, requests: Int) async throws -> ClientSample {
    let expected = RESPValue.bulk(expectedValue)
    let usageBefore = ProcessUsage.current()
    let clock = ContinuousClock()
    let started = clock.now
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    var errors = 0
    for _ in 0..<requests {
      let sent = clock.now
      do {
        if try await client.send(command, deadline: sent + Self.callTimeout) != expected { errors += 1 }
      } catch {
        errors += 1
      }
      histogram.record(UInt64((clock.now - sent).nanoseconds))
    }
    return ClientSample(
      histogram: histogram, errors: errors, elapsedSeconds: (clock.now - started).seconds,
      client: ProcessUsage.current() - usageBefore)
  }

  /// A pool of `connections` kept up by its own `run()` task for the length of `body`.
  private func withClient<T: Sendable>(connections: Int, _ body: (RedisClient) async throws -> T) async throws -> T {
    var configuration = RedisClient.Configuration(url: url)
    configuration.connections = connections
    configuration.connectTimeout = .seconds(5)
    var logger = Logger(label: "lineup-loadtest.redis")
    logger.logLevel = .warning
    let client = RedisClient(configuration: configuration, logger: logger)
    let running = Task { try await client.run() }
    defer { running.cancel() }
    let deadline = ContinuousClock.now + .seconds(10)
    while client.liveConnections < connections {
      guard ContinuousClock.now < deadline else {
        throw RedisError(
          .connectionFailed, "only \(client.liveConnections) of \(connections) connections to \(url) came up")
      }
      try await Task.sleep(for: .milliseconds(5))
    }
    let result = try await body(client)
    running.cancel()
    _ = try? await running.value
    return result
  }
}

/// The batch counter the pipelined callers share; an atomic in a class so tasks can share it.
private final class BatchCounter: Sendable {
  let next = Atomic<Int>(0)
}

extension TaskGroup<(Histogram<UInt64>, Int)> {
  /// Every caller's histogram merged, and the errors summed.
  mutating func merged() async -> (Histogram<UInt64>, Int) {
    var merged = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    var errors = 0
    for await (histogram, callerErrors) in self {
      merged.add(histogram)
      errors += callerErrors
    }
    return (merged, errors)
  }
}

extension Int {
  /// Batches of `size` that cover `self` items (the last one may be short in redis-benchmark;
  /// here it is whole, so at most `size - 1` extra GETs are sent).
  func divided(by size: Int) -> Int { (self + size - 1) / size }
}

extension Duration {
  var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
