package import Foundation
package import LineupRedis
import Synchronization

/// A real `redis-server` for one test: started on a free loopback port (Redis' `--port 0`
/// means "no TCP", so the port is picked here), with persistence off and DEBUG allowed from
/// loopback, its pid tracked so it can be killed (fault tests), restarted on the same port,
/// and always torn down.
package final class RedisServerProcess: Sendable {
  package let port: Int
  /// Extra `redis-server` arguments, e.g. `["--requirepass", "secret"]`.
  package let extraArguments: [String]
  /// A private working directory (also holds the Unix socket when asked for).
  package let directory: URL
  private let process = Mutex<Process?>(nil)

  /// The TCP URL of this server (no credentials).
  package var url: RedisURL { RedisURL(endpoint: .tcp(host: "127.0.0.1", port: port)) }

  /// The pid of the running server, nil when stopped.
  package var pid: Int32? { process.withLock { $0?.isRunning == true ? $0?.processIdentifier : nil } }

  private init(port: Int, extraArguments: [String], directory: URL) {
    self.port = port
    self.extraArguments = extraArguments
    self.directory = directory
  }

  deinit {
    process.withLock { process in
      if let process, process.isRunning { _ = Foundation.kill(process.processIdentifier, SIGKILL) }
    }
    try? FileManager.default.removeItem(at: directory)
  }

  /// Starts a server and waits until it answers PING.
  package static func start(arguments: [String] = []) async throws -> RedisServerProcess {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lineup-redis-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let server = RedisServerProcess(port: try FreePort.loopback(), extraArguments: arguments, directory: directory)
    try await server.launch()
    return server
  }

  /// Starts the server again on the same port (after `kill()` or `stop()`).
  package func restart() async throws {
    try await launch()
  }

  /// `INFO commandstats` for one command (lower case, e.g. "zrevrange"): how many calls the
  /// server has run and how many failed (Redis 7's `failed_calls`); zeros before the first.
  package func commandStats(_ command: String) async throws -> (calls: Int, failed: Int) {
    let info = try await sendOnce(RedisCommand("INFO", "commandstats")).string ?? ""
    let prefix = "cmdstat_\(command):"
    guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix(prefix) })?.dropFirst(prefix.count) else { return (0, 0) }
    func field(_ name: String) -> Int {
      line.split(separator: ",").lazy.compactMap { part in part.hasPrefix("\(name)=") ? Int(part.dropFirst(name.count + 1)) : nil }.first ?? 0
    }
    return (field("calls"), field("failed_calls"))
  }

  /// `PUBSUB NUMSUB`: how many connections are subscribed to `channel` now.
  package func subscribers(of channel: String) async throws -> Int {
    let reply = try await sendOnce(RedisCommand("PUBSUB", "NUMSUB", channel))
    guard let parts = reply.array, parts.count == 2, case .integer(let count) = parts[1] else { return 0 }
    return Int(count)
  }

  /// One command on a connection of its own, closed after the reply: these probes must not
  /// share (or be counted on) the connections under test.
  private func sendOnce(_ command: RedisCommand) async throws -> RESPValue {
    let connection = try await RedisConnection.connect(to: url, deadline: .now + .seconds(2))
    defer { connection.closeNow() }
    return try await connection.send(command, deadline: .now + .seconds(2))
  }

  /// SIGKILL: the server dies at once, mid-command, as in a crash.
  package func kill() {
    signal(SIGKILL)
  }

  /// SIGTERM and wait for the process to exit.
  package func stop() {
    signal(SIGTERM)
  }

  private func signal(_ signal: Int32) {
    let running: Process? = process.withLock { process in
      defer { process = nil }
      return process
    }
    guard let running, running.isRunning else { return }
    _ = Foundation.kill(running.processIdentifier, signal)
    // Polled rather than waitUntilExit(), which spins a run loop on Linux and was seen to
    // hang a test; bounded (1 s), then SIGKILL.
    let deadline = ContinuousClock.now + .seconds(1)
    while running.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
    guard running.isRunning else { return }
    // Still up after a second: kill it, and wait for that too, so that nobody connects to a
    // server the caller believes stopped.
    _ = Foundation.kill(running.processIdentifier, SIGKILL)
    let killDeadline = ContinuousClock.now + .seconds(2)
    while running.isRunning && ContinuousClock.now < killDeadline { usleep(5_000) }
  }

  private func launch() async throws {
    let executable = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
    guard let executable else {
      throw TestingError("redis-server not found; run scripts/install-deps.sh test (or make test)")
    }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: executable)
    child.currentDirectoryURL = directory
    child.arguments = [
      "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
      "--daemonize", "no", "--protected-mode", "no", "--enable-debug-command", "local",
      "--loglevel", "warning", "--dir", directory.path,
    ] + extraArguments
    let log = directory.appendingPathComponent("redis.log")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    child.standardOutput = handle
    child.standardError = handle
    try child.run()
    process.withLock { $0 = child }

    // Ready when a TCP connection answers PING (AUTH is not needed for the socket to accept).
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
      guard child.isRunning else {
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw TestingError("redis-server exited at start: \(output.suffix(500))")
      }
      if let connection = try? await RedisConnection.connect(to: url, deadline: .now + .milliseconds(200)) {
        await connection.close()
        return
      }
      try await Task.sleep(for: .milliseconds(20))
    }
    throw TestingError("redis-server on port \(port) did not accept connections within 10 s")
  }
}
