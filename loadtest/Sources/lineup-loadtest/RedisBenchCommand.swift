import LineupLoadKit
import ArgumentParser
import Foundation
import LineupRedis
import LineupTesting
import NIOCore
import NIOPosix

/// `lineup-loadtest redis`: LineupRedis against `redis-benchmark` on one redis-server, in one
/// run. Two measurements, each taken from both clients back to back:
///
/// - throughput: `-c C` connections, `-P 16` pipelined GETs each (LineupRedis: `C` pooled
///   connections and `C` callers each sending a 16-command `pipeline`), `-n N` requests;
/// - latency: one connection, one GET at a time (`-c 1 -P 1`), p50 compared.
///
/// Both read the same key (`key:__rand_int__`, the literal key `redis-benchmark -t get` asks
/// for without `-r`) holding the same value (`-d` bytes of `x`, as redis-benchmark's SET
/// writes), both get a discarded warm-up, and the server's own counters (keyspace hits and
/// misses, commands, CPU) are read around every phase so the output shows both clients made
/// the server do the same work. Exit code 1 when a target is missed or a reply was wrong.
struct RedisBenchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "redis",
    abstract: "Compare LineupRedis with redis-benchmark (pipelined GET throughput, single-connection latency)."
  )

  @Option(help: "Use this Redis server (redis://host:port/db or unix:///path) instead of starting one.")
  var url: String?

  @Option(name: [.customShort("c"), .long], help: "Connections for the throughput test (redis-benchmark -c).")
  var connections = 50

  @Option(name: [.customShort("n"), .long], help: "GETs for the throughput test (redis-benchmark -n).")
  var requests = 1_000_000

  @Option(name: [.customShort("P"), .long], help: "GETs in flight per connection (redis-benchmark -P).")
  var pipeline = 16

  @Option(help: "GETs for the single-connection latency test.")
  var latencyRequests = 100_000

  @Option(name: [.customShort("d"), .long], help: "Value size in bytes (redis-benchmark -d).")
  var valueSize = 3

  @Option(help: "Warm-up GETs before each measured phase, for each client (not recorded).")
  var warmup = 100_000

  @Option(help: "Measurement rounds; the verdict uses the median ratio. Rounds alternate which client goes first.")
  var rounds = 3

  @Option(
    help: """
      Where LineupRedis' callers run: global (Swift's default executor, as lineup-server runs \
      today) or nio (SwiftNIO's event loops installed as Swift's global executor, so a caller \
      and its connection can share a thread, as redis-benchmark's single event loop does).
      """)
  var executor: CallerExecutor = .global

  @Option(help: "The redis-benchmark executable.")
  var redisBenchmark = "/usr/bin/redis-benchmark"

  @Option(help: "Target: LineupRedis throughput ÷ redis-benchmark throughput at least this.")
  var minThroughputRatio = 0.70

  @Option(help: "Target: LineupRedis p50 ÷ redis-benchmark p50 (single connection) at most this.")
  var maxLatencyRatio = 1.30

  /// The key `redis-benchmark -t get` reads when no `-r` is given (the placeholder stays).
  static let key = "key:__rand_int__"

  func validate() throws {
    guard connections >= 1, requests >= 1, pipeline >= 1, latencyRequests >= 1, valueSize >= 0, warmup >= 0, rounds >= 1
    else {
      throw ValidationError("counts must be positive (warm-up and value size may be 0)")
    }
  }

  func run() async throws {
    if executor == .nio {
      // Before any LineupRedis work: from here on every task runs on the NIO singleton loops.
      guard NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() else {
        throw ValidationError("could not install SwiftNIO's event loops as the global executor")
      }
    }
    let (serverURL, owned) = try await server()
    defer { owned?.stop() }
    let value = [UInt8](repeating: UInt8(ascii: "x"), count: valueSize)
    let control = try await RedisConnection.connect(to: serverURL, deadline: .now + .seconds(5))
    defer { control.closeNow() }
    _ = try await control.send(
      RedisCommand(bytes: [Array("SET".utf8), Array(Self.key.utf8), value]), deadline: .now + .seconds(5))

    let reference = RedisBenchmarkTool(executable: redisBenchmark, url: serverURL, valueSize: valueSize)
    let lineup = LineupRedisDriver(url: serverURL, key: Array(Self.key.utf8), expectedValue: value)
    let stats = ServerStats(connection: control)
    let serverDescription =
      owned.map { "redis-server pid \($0.pid.map(String.init) ?? "?") started by this run on \(serverURL)" }
      ?? "\(serverURL)"
    print(
      """
      LineupRedis vs redis-benchmark: GET "\(Self.key)" (\(valueSize)-byte value), one \(serverDescription)
      throughput: \(connections) connections x \(pipeline) GETs in flight, \(requests) GETs; latency: 1 connection, 1 GET at a time, \(latencyRequests) GETs
      warm-up \(warmup) GETs per client and phase; server counters read around every measured phase; LineupRedis callers on the \(executor.rawValue) executor
      """)

    var results: [RedisBenchRound] = []
    for round in 0..<rounds {
      // Odd rounds let LineupRedis go first, so drift on a shared machine does not always
      // favour the same client.
      let lineupFirst = round % 2 == 1
      var throughput = (reference: ClientSample?.none, lineup: ClientSample?.none)
      for side in lineupFirst ? [1, 0] : [0, 1] {
        if side == 0 {
          if warmup > 0 { _ = try await reference.run(connections: connections, requests: warmup, pipeline: pipeline) }
          throughput.reference = try await stats.measure {
            try await reference.run(connections: connections, requests: requests, pipeline: pipeline)
          }
        } else {
          throughput.lineup = try await lineup.throughput(
            connections: connections, pipeline: pipeline, requests: requests, warmup: warmup, stats: stats)
        }
      }
      var latency = (reference: ClientSample?.none, lineup: ClientSample?.none)
      for side in lineupFirst ? [1, 0] : [0, 1] {
        if side == 0 {
          if warmup > 0 { _ = try await reference.run(connections: 1, requests: min(warmup, 10_000), pipeline: 1) }
          latency.reference = try await stats.measure {
            try await reference.run(connections: 1, requests: latencyRequests, pipeline: 1)
          }
        } else {
          latency.lineup = try await lineup.latency(
            requests: latencyRequests, warmup: min(warmup, 10_000), stats: stats)
        }
      }
      let result = RedisBenchRound(
        throughput: (throughput.reference!, throughput.lineup!), latency: (latency.reference!, latency.lineup!))
      results.append(result)
      print(result.table(round: round + 1, of: rounds, lineupFirst: lineupFirst))
    }

    let verdict = RedisBenchVerdict(
      rounds: results, minThroughputRatio: minThroughputRatio, maxLatencyRatio: maxLatencyRatio,
      executor: executor)
    print(verdict.summary)
    if !verdict.passed { throw ExitCode(1) }
  }

  /// The server to measure against: `--url`, or a fresh redis-server on a free loopback port
  /// (persistence off) that `stop()` ends and the process' deinit kills if anything throws.
  private func server() async throws -> (RedisURL, RedisServerProcess?) {
    if let url { return (try RedisURL(url), nil) }
    let process = try await RedisServerProcess.start()
    return (process.url, process)
  }
}

/// Where the benchmark's LineupRedis callers run (see `--executor`).
enum CallerExecutor: String, ExpressibleByArgument, Sendable {
  case global, nio
}
