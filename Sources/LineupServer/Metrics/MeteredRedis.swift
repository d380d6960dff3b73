package import LineupRedis

/// A `RedisCommandRunner` that times every command and pipeline it passes on and counts
/// their failures (`lineup_redis_command_duration_seconds`, `lineup_redis_errors_total`), so
/// LineupRedis itself stays free of any metrics backend. The store talks to Redis through
/// one of these.
package struct MeteredRedis: RedisCommandRunner {
  private let base: any RedisCommandRunner
  private let metrics: LineupMetrics

  package init(_ base: any RedisCommandRunner, metrics: LineupMetrics) {
    self.base = base
    self.metrics = metrics
  }

  package var isConnected: Bool { base.isConnected }
  package var keysMustShareASlot: Bool { base.keysMustShareASlot }

  package func send(_ command: RedisCommand, deadline: ContinuousClock.Instant) async throws(RedisError) -> RESPValue {
    let started = ContinuousClock.now
    let name = Self.name(of: command)
    do {
      let reply = try await base.send(command, deadline: deadline)
      metrics.recordRedis(command: name, duration: .now - started, errorCode: nil)
      return reply
    } catch {
      metrics.recordRedis(command: name, duration: .now - started, errorCode: error.code.description)
      throw error
    }
  }

  package func pipeline(_ commands: [RedisCommand], deadline: ContinuousClock.Instant) async throws(RedisError) -> [RESPValue] {
    let started = ContinuousClock.now
    do {
      let replies = try await base.pipeline(commands, deadline: deadline)
      // Error replies stay values in a pipeline (the caller decides); they are still errors.
      let failed = replies.contains { if case .error = $0 { true } else { false } }
      metrics.recordRedis(command: "PIPELINE", duration: .now - started, errorCode: failed ? "reply" : nil)
      return replies
    } catch {
      metrics.recordRedis(command: "PIPELINE", duration: .now - started, errorCode: error.code.description)
      throw error
    }
  }

  /// The command's name in upper case: a label with as many values as Lineup has commands
  /// (the keys, which would be one series per user, are never a label).
  static func name(of command: RedisCommand) -> String {
    guard let first = command.argument(at: 0), first.count <= 32 else { return "OTHER" }
    return String(decoding: first, as: UTF8.self).uppercased()
  }
}
