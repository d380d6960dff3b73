import Foundation
import LineupTesting
import Testing

@testable import LineupRedis

/// Every test here talks to a real redis-server started on a free loopback port.
@Suite("Redis connection against a real redis-server")
struct RedisConnectionTests {
  static func deadline(_ seconds: Double = 5) -> ContinuousClock.Instant { .now + .seconds(seconds) }

  @Test("commands round-trip, binary values intact")
  func roundTrip() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    #expect(try await connection.send(RedisCommand("PING"), deadline: Self.deadline()) == .status("PONG"))
    let value: [UInt8] = [0, 13, 10, 255, 42]
    _ = try await connection.send(RedisCommand(bytes: [Array("SET".utf8), Array("k".utf8), value]), deadline: Self.deadline())
    #expect(try await connection.send(RedisCommand("GET", "k"), deadline: Self.deadline()) == .bulk(value))
    #expect(try await connection.send(RedisCommand("GET", "missing"), deadline: Self.deadline()) == .null)
    await connection.close()
  }

  @Test("a pipeline of 1,000 commands gets 1,000 replies in order, in one round trip")
  func pipelineOrder() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    let replies = try await connection.pipeline((0..<1_000).map { _ in RedisCommand("INCR", "counter") }, deadline: Self.deadline())
    #expect(replies == (1...1_000).map { RESPValue.integer(Int64($0)) })
    await connection.close()
  }

  @Test("concurrent callers on one connection each get their own reply")
  func concurrentCallers() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    try await withThrowingTaskGroup(of: Void.self) { group in
      for caller in 0..<50 {
        group.addTask {
          for i in 0..<20 {
            let reply = try await connection.send(RedisCommand("ECHO", "\(caller)-\(i)"), deadline: Self.deadline())
            #expect(reply.string == "\(caller)-\(i)")
          }
        }
      }
      try await group.waitForAll()
    }
    await connection.close()
  }

  @Test("an error reply is a value in a pipeline and a thrown serverError from send")
  func errorReplies() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    let replies = try await connection.pipeline(
      [RedisCommand("SET", "s", "x"), RedisCommand("INCR", "s"), RedisCommand("GET", "s")], deadline: Self.deadline())
    #expect(replies[0] == .status("OK"))
    guard case .error(let message) = replies[1] else { Issue.record("expected an error reply"); return }
    #expect(message.hasPrefix("ERR"))
    #expect(replies[2] == .bulk(Array("x".utf8)))
    await #expect(throws: RedisError.self) { try await connection.send(RedisCommand("NOSUCHCOMMAND"), deadline: Self.deadline()) }
    await connection.close()
  }

  @Test("AUTH (legacy and ACL user) and SELECT come from the URL")
  func handshake() async throws {
    let redis = try await RedisServerProcess.start(arguments: ["--requirepass", "s3cret"])
    var url = redis.url
    url.password = "s3cret"
    url.database = 4
    let connection = try await RedisConnection.connect(to: url, deadline: Self.deadline())
    _ = try await connection.send(RedisCommand("SET", "in-db-4", "1"), deadline: Self.deadline())
    #expect(try await connection.send(RedisCommand("CLIENT", "INFO"), deadline: Self.deadline()).string?.contains("db=4") == true)
    _ = try await connection.send(RedisCommand("ACL", "SETUSER", "app", "on", ">apppass", "~*", "+@all"), deadline: Self.deadline())
    await connection.close()

    let aclURL = try RedisURL("redis://app:apppass@127.0.0.1:\(redis.port)/4")
    let acl = try await RedisConnection.connect(to: aclURL, deadline: Self.deadline())
    #expect(try await acl.send(RedisCommand("GET", "in-db-4"), deadline: Self.deadline()) == .bulk(Array("1".utf8)))
    await acl.close()

    var wrong = redis.url
    wrong.password = "wrong"
    await #expect(throws: RedisError.self) { _ = try await RedisConnection.connect(to: wrong, deadline: Self.deadline()) }
  }

  @Test("Unix domain sockets work like TCP")
  func unixSocket() async throws {
    let socketPath = FileManager.default.temporaryDirectory.appendingPathComponent("lineup-\(UUID().uuidString.prefix(8)).sock").path
    let redis = try await RedisServerProcess.start(arguments: ["--unixsocket", socketPath, "--unixsocketperm", "700"])
    let connection = try await RedisConnection.connect(to: try RedisURL("unix://\(socketPath)"), deadline: Self.deadline())
    #expect(try await connection.send(RedisCommand("PING"), deadline: Self.deadline()) == .status("PONG"))
    await connection.close()
    _ = redis
  }

  @Test("a command past its deadline fails promptly, and the next command still gets its own reply")
  func deadline() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    let clock = ContinuousClock()
    let started = clock.now
    do {
      _ = try await connection.send(RedisCommand("DEBUG", "SLEEP", "2"), deadline: .now + .milliseconds(100))
      Issue.record("expected a timeout")
    } catch {
      #expect(error.code == .timeout)
    }
    // The reply comes after 2 s; failing at the 100 ms deadline (never before it, and well
    // before the reply) shows the deadline was enforced. The 600 ms margin is for a loaded
    // machine's timer, not a measure of how fast it is.
    let elapsed = clock.now - started
    #expect(elapsed >= .milliseconds(100))
    #expect(elapsed < .milliseconds(700))
    // The late DEBUG reply must be consumed by its own (abandoned) slot, not by this command.
    #expect(try await connection.send(RedisCommand("ECHO", "after"), deadline: Self.deadline()).string == "after")
    await connection.close()
  }

  @Test("redis-server killed mid-pipeline: every pending command fails promptly with a clear error")
  func killedMidPipeline() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    let clock = ContinuousClock()
    async let pending = connection.pipeline(
      [RedisCommand("DEBUG", "SLEEP", "3"), RedisCommand("PING"), RedisCommand("PING")], deadline: Self.deadline(10))
    try await Task.sleep(for: .milliseconds(100))
    let killedAt = clock.now
    redis.kill()
    do {
      _ = try await pending
      Issue.record("expected the pipeline to fail")
    } catch {
      #expect((error as? RedisError)?.code == .connectionClosed, "\(error)")
    }
    #expect(clock.now - killedAt < .seconds(1))
    #expect(!connection.isActive)
  }

  @Test("connecting to a port nobody listens on fails with connectionFailed")
  func refused() async throws {
    let port = try FreePort.loopback()
    do {
      _ = try await RedisConnection.connect(
        to: RedisURL(endpoint: .tcp(host: "127.0.0.1", port: port)), deadline: Self.deadline(1))
      Issue.record("expected connectionFailed")
    } catch {
      #expect(error.code == .connectionFailed)
    }
  }
}
