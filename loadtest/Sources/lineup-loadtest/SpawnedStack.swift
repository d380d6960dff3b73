import Foundation
import LineupLoadKit
import LineupRedis
import LineupServer
import LineupTesting

/// The system under test when the harness runs it itself (`--spawn`): a redis-server on a
/// free loopback port (pid tracked, so fault scenarios can kill and restart it), optionally a
/// delaying proxy in front of it (a slow Redis), and the release-built lineup-server beside
/// this binary, started with `--redis` and torn down at the end. Model candidates for the
/// scenario's warm users are seeded with native commands, as a model pipeline would.
final class SpawnedStack: Sendable {
  let redis: RedisServerProcess
  let proxy: DelayingTCPProxy?
  let server: Process
  let port: Int
  let logPath: String

  private init(redis: RedisServerProcess, proxy: DelayingTCPProxy?, server: Process, port: Int, logPath: String) {
    self.redis = redis
    self.proxy = proxy
    self.server = server
    self.port = port
    self.logPath = logPath
  }

  /// Starts Redis (and the proxy when `redisDelay` is set), seeds, starts lineup-server and
  /// waits until it listens.
  static func start(
    scenario: Scenario, seed: UInt64, redisDelay: Duration?, extraServerArguments: [String], durableRedis: Bool = false
  ) async throws -> SpawnedStack {
    // A fault run restarts the server it killed; with an append-only file (fsync every
    // second, as production would run it) the restarted server has its data back, so the
    // run measures Lineup's recovery rather than an emptied Redis.
    let redis = try await RedisServerProcess.start(arguments: durableRedis ? ["--appendonly", "yes", "--appendfsync", "everysec"] : [])
    try await seedCandidates(redis.url, scenario: scenario, seed: seed)
    var proxy: DelayingTCPProxy?
    var redisPort = redis.port
    if let redisDelay {
      let started = try await DelayingTCPProxy.start(to: "127.0.0.1", port: redis.port, delay: redisDelay)
      proxy = started
      redisPort = started.port
    }
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
      .appendingPathComponent("lineup-server").path
    guard FileManager.default.isExecutableFile(atPath: binary) else {
      throw LoadTestError("--spawn needs lineup-server beside lineup-loadtest (\(binary)); run swift build -c release first")
    }
    let port = try FreePort.loopback()
    let logPath = redis.directory.appendingPathComponent("lineup-server.log").path
    FileManager.default.createFile(atPath: logPath, contents: nil)
    let server = Process()
    server.executableURL = URL(fileURLWithPath: binary)
    server.arguments = [
      "--port", String(port), "--metrics-port", "0", "--log-level", "warning",
      "--redis", "redis://127.0.0.1:\(redisPort)",
      "--fallback-data", Self.fallbackDataDirectory(),
      // A capacity run sends a Zipf population's hottest users far past 100/min: measure the
      // serving path, not the limiter refusing them (--server-args can turn it back on).
      "--rate-limits", "user_per_min=0",
    ] + extraServerArguments
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    server.standardOutput = log
    server.standardError = log
    try server.run()
    let stack = SpawnedStack(redis: redis, proxy: proxy, server: server, port: port, logPath: logPath)
    try await stack.waitUntilListening()
    return stack
  }

  /// The server's peak resident memory so far in MB (VmHWM, the high-water mark, from /proc on
  /// Linux): a reading after the run would miss the peak while 10,000 streams were open.
  var serverPeakRSSMegabytes: Double? {
    guard let status = try? String(contentsOfFile: "/proc/\(server.processIdentifier)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return nil }
    return kilobytes / 1024
  }

  /// SIGTERM lineup-server (it drains), stop Redis and the proxy.
  func stop() async {
    if server.isRunning {
      server.terminate()
      let deadline = ContinuousClock.now + .seconds(15)
      while server.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
      if server.isRunning { kill(server.processIdentifier, SIGKILL) }
    }
    await proxy?.close()
    redis.stop()
  }

  private func waitUntilListening() async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
      guard server.isRunning else {
        let tail = (try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(1_000) ?? ""
        throw LoadTestError("lineup-server exited at start:\n\(tail)")
      }
      if Self.accepts(port: port) { return }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw LoadTestError("lineup-server did not listen on \(port) within 30 s (log: \(logPath))")
  }

  private static func accepts(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
  }

  private static func fallbackDataDirectory() -> String {
    // The repository's fallback-data/, found from the working directory (make bench runs
    // from the root) or from this binary's location (.build/release/…).
    let candidates = [
      FileManager.default.currentDirectoryPath + "/fallback-data",
      URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fallback-data").path,
    ]
    return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? "fallback-data"
  }

  /// Candidates for every warm user (40 items each), written with native commands in
  /// pipelines of 1,000, as the model pipeline does (docs/redis-keys.md).
  static func seedCandidates(_ url: RedisURL, scenario: Scenario, seed: UInt64) async throws {
    let warm = LineupTraffic.warmUsers(scenario)
    guard warm > 0 else { return }
    let connection = try await RedisConnection.connect(to: url, deadline: .now + .seconds(5))
    defer { Task { await connection.close() } }
    var random = SeededRandom(seed: seed ^ 0xC0FFEE)
    var commands: [RedisCommand] = []
    for user in 0..<warm {
      let id = LineupTraffic.userID(user)
      var arguments = [RedisKeys.candidates(id)]
      for rank in 0..<40 {
        arguments.append(String(1 - Double(rank) / 40))
        arguments.append(String(format: "it-%05d", Int(random.next() % UInt64(scenario.catalogItems))))
      }
      commands.append(RedisCommand("ZADD", arguments))
      commands.append(RedisCommand("HSET", RedisKeys.candidatesMeta(id), "model_version", "loadtest-model"))
      if commands.count >= 1_000 {
        _ = try await connection.pipeline(commands, deadline: .now + .seconds(30))
        commands.removeAll(keepingCapacity: true)
      }
    }
    if !commands.isEmpty { _ = try await connection.pipeline(commands, deadline: .now + .seconds(30)) }
  }
}
