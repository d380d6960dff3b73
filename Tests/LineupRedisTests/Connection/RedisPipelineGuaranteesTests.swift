import Foundation
import LineupTesting
import Testing

@testable import LineupRedis

/// The guarantees the connection's hot path must keep however it is optimised: replies meet
/// their caller first-in first-out, a pipeline that timed out keeps its slots so its late
/// replies never shift onto later callers, every deadline is honoured (also one queued behind
/// a later one), and connection loss or invalid RESP fails everything pending at once.
/// Time limits here are generous: they check that deadlines are enforced, not machine speed.
@Suite("Pipelines, deadlines and failures on one connection")
struct RedisPipelineGuaranteesTests {
  static func deadline(_ seconds: Double = 5) -> ContinuousClock.Instant { .now + .seconds(seconds) }

  @Test("a pipeline that times out mid-way keeps its slots: the next caller gets its own replies")
  func timeoutMidPipeline() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    do {
      // The PING is answered at once, the rest only after the sleep: the deadline passes with
      // one of three replies in.
      _ = try await connection.pipeline(
        [RedisCommand("PING"), RedisCommand("DEBUG", "SLEEP", "0.6"), RedisCommand("ECHO", "late")],
        deadline: .now + .milliseconds(100))
      Issue.record("expected a timeout")
    } catch {
      #expect(error.code == .timeout)
    }
    let replies = try await connection.pipeline(
      [RedisCommand("ECHO", "a"), RedisCommand("ECHO", "b")], deadline: Self.deadline())
    #expect(replies == [.bulk(Array("a".utf8)), .bulk(Array("b".utf8))])
    await connection.close()
  }

  @Test("late replies after a timeout do not reach callers queued behind it")
  func lateRepliesWithCallersInFlight() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    async let slow = outcome {
      try await connection.send(RedisCommand("DEBUG", "SLEEP", "0.6"), deadline: .now + .milliseconds(100))
    }
    try await Task.sleep(for: .milliseconds(20))
    // Queued behind the sleep on the server; their replies arrive after the slow one's.
    try await withThrowingTaskGroup(of: Void.self) { group in
      for caller in 0..<10 {
        group.addTask {
          let reply = try await connection.send(RedisCommand("ECHO", "caller-\(caller)"), deadline: Self.deadline())
          #expect(reply.string == "caller-\(caller)")
        }
      }
      try await group.waitForAll()
    }
    guard case .failure(let error) = await slow else { Issue.record("expected a timeout"); return }
    #expect(error.code == .timeout)
    await connection.close()
  }

  @Test("an earlier deadline queued behind a later one still fires on time")
  func earlierDeadlineBehindLaterOne() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    let clock = ContinuousClock()
    async let slow = connection.send(RedisCommand("DEBUG", "SLEEP", "1"), deadline: Self.deadline(5))
    try await Task.sleep(for: .milliseconds(20))
    let started = clock.now
    // Two short deadlines, both pending at once behind the long one: the timer fires for the
    // first and must re-arm for the second.
    @Sendable func timedOutAfter(_ milliseconds: Int) async -> Duration? {
      do {
        _ = try await connection.send(RedisCommand("PING"), deadline: .now + .milliseconds(milliseconds))
        return nil
      } catch {
        return error.code == .timeout ? clock.now - started : nil
      }
    }
    async let first = timedOutAfter(100)
    async let second = timedOutAfter(200)
    let timings = await (first, second)
    // Both well before the sleep ends (1 s), when their replies would otherwise arrive.
    #expect(timings.0.map { $0 < .milliseconds(900) } == true, "\(String(describing: timings.0))")
    #expect(
      timings.1.map { $0 >= .milliseconds(200) && $0 < .milliseconds(900) } == true, "\(String(describing: timings.1))")
    #expect(try await slow == .status("OK"))
    #expect(try await connection.send(RedisCommand("ECHO", "after"), deadline: Self.deadline()).string == "after")
    await connection.close()
  }

  @Test("concurrent timeouts on one connection: each times out alone, the rest are answered")
  func concurrentDeadlines() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    async let blocker = connection.send(RedisCommand("DEBUG", "SLEEP", "0.8"), deadline: Self.deadline())
    try await Task.sleep(for: .milliseconds(20))
    let outcomes = try await withThrowingTaskGroup(of: (Int, Result<RESPValue, RedisError>).self) { group in
      for caller in 0..<20 {
        group.addTask {
          // Even callers give up before the sleep ends, odd ones wait long enough.
          let deadline: ContinuousClock.Instant = caller % 2 == 0 ? .now + .milliseconds(100) : Self.deadline()
          return (
            caller, await outcome { try await connection.send(RedisCommand("ECHO", "\(caller)"), deadline: deadline) }
          )
        }
      }
      var outcomes: [Int: Result<RESPValue, RedisError>] = [:]
      for try await (caller, outcome) in group { outcomes[caller] = outcome }
      return outcomes
    }
    for (caller, outcome) in outcomes {
      switch outcome {
      case .success(let reply):
        #expect(caller % 2 == 1)
        #expect(reply.string == "\(caller)")
      case .failure(let error):
        #expect(caller % 2 == 0)
        #expect(error.code == .timeout)
      }
    }
    #expect(try await blocker == .status("OK"))
    await connection.close()
  }

  @Test("50 concurrent callers sending 16-command pipelines each get their own replies, in order")
  func fiftyPipelinedCallers() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    try await withThrowingTaskGroup(of: Void.self) { group in
      for caller in 0..<50 {
        group.addTask {
          for round in 0..<20 {
            let commands = (0..<16).map { RedisCommand("ECHO", "\(caller)-\(round)-\($0)") }
            let replies = try await connection.pipeline(commands, deadline: Self.deadline(10))
            #expect(replies.map(\.string) == (0..<16).map { "\(caller)-\(round)-\($0)" })
          }
        }
      }
      try await group.waitForAll()
    }
    await connection.close()
  }

  @Test("a deadline already past fails at once and sends nothing")
  func pastDeadline() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    do {
      _ = try await connection.send(RedisCommand("INCR", "never"), deadline: .now - .milliseconds(1))
      Issue.record("expected a timeout")
    } catch {
      #expect(error.code == .timeout)
    }
    #expect(try await connection.send(RedisCommand("GET", "never"), deadline: Self.deadline()) == .null)
    await connection.close()
  }

  @Test("a deadline centuries away is honoured as 'no deadline', not an overflow")
  func farDeadline() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    let farAway = ContinuousClock.now + .seconds(Int64.max / 2)
    #expect(try await connection.send(RedisCommand("PING"), deadline: farAway) == .status("PONG"))
    await connection.close()
  }

  @Test("connection loss fails every pending pipeline at once, and later calls fail fast")
  func lossFailsAllPending() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    let clock = ContinuousClock()
    let pending = Task {
      try await withThrowingTaskGroup(of: RedisError.Code?.self) { group in
        group.addTask {
          await outcome { try await connection.send(RedisCommand("DEBUG", "SLEEP", "3"), deadline: Self.deadline(10)) }
            .failureCode
        }
        for caller in 0..<10 {
          group.addTask {
            try await Task.sleep(for: .milliseconds(50))
            return await outcome {
              try await connection.pipeline(
                [RedisCommand("ECHO", "\(caller)"), RedisCommand("PING")], deadline: Self.deadline(10))
            }.failureCode
          }
        }
        var codes: [RedisError.Code?] = []
        for try await code in group { codes.append(code) }
        return codes
      }
    }
    try await Task.sleep(for: .milliseconds(200))
    let killedAt = clock.now
    redis.kill()
    let codes = try await pending.value
    #expect(codes.count == 11)
    #expect(codes.allSatisfy { $0 == .connectionClosed }, "\(codes)")
    #expect(clock.now - killedAt < .seconds(1))
    let started = clock.now
    await #expect(throws: RedisError.self) {
      _ = try await connection.send(RedisCommand("PING"), deadline: Self.deadline())
    }
    #expect(clock.now - started < .milliseconds(500))
  }

  @Test("a command on a closed connection fails at once with connectionClosed")
  func afterClose() async throws {
    let redis = try await RedisServerProcess.start()
    let connection = try await RedisConnection.connect(to: redis.url, deadline: Self.deadline())
    await connection.close()
    do {
      _ = try await connection.send(RedisCommand("PING"), deadline: Self.deadline())
      Issue.record("expected connectionClosed")
    } catch {
      #expect(error.code == .connectionClosed)
    }
  }

  @Test("invalid RESP mid-pipeline fails the whole pipeline with protocolError and closes the connection")
  func malformedReply() async throws {
    let server = try ScriptedRESPServer(.afterFirstRead(Array("+OK\r\n?what\r\n".utf8)))
    let connection = try await RedisConnection.connect(
      to: RedisURL(endpoint: .tcp(host: "127.0.0.1", port: server.port)), deadline: Self.deadline())
    do {
      _ = try await connection.pipeline(
        [RedisCommand("PING"), RedisCommand("PING"), RedisCommand("PING")], deadline: Self.deadline())
      Issue.record("expected a protocol error")
    } catch {
      #expect(error.code == .protocolError)
    }
    #expect(try await eventually { !connection.isActive })
    await #expect(throws: RedisError.self) {
      _ = try await connection.send(RedisCommand("PING"), deadline: Self.deadline())
    }
  }

  @Test("a reply nobody asked for is a protocol error that closes the connection")
  func unsolicitedReply() async throws {
    let server = try ScriptedRESPServer(.onConnect(Array("+SURPRISE\r\n".utf8)))
    let url = RedisURL(endpoint: .tcp(host: "127.0.0.1", port: server.port))
    // The stray reply may arrive while connecting (then connect fails) or just after.
    let connection: RedisConnection
    do {
      connection = try await RedisConnection.connect(to: url, deadline: Self.deadline())
    } catch {
      #expect(error.code == .connectionFailed)
      return
    }
    #expect(try await eventually { !connection.isActive })
    do {
      _ = try await connection.send(RedisCommand("PING"), deadline: Self.deadline())
      Issue.record("expected a failure")
    } catch {
      #expect(error.code == .protocolError || error.code == .connectionClosed)
    }
  }

}

/// A call's outcome as a value, so concurrent callers can report it (closures do not infer
/// typed throws, so anything but a RedisError is reported as one, which the checks then reject).
func outcome<T>(_ call: () async throws -> T) async -> Result<T, RedisError> {
  do {
    return .success(try await call())
  } catch {
    return .failure(error as? RedisError ?? RedisError(.invalidArgument, "not a RedisError: \(error)"))
  }
}

extension Result where Failure == RedisError {
  /// The error code, nil on success.
  var failureCode: RedisError.Code? {
    if case .failure(let error) = self { return error.code }
    return nil
  }
}
