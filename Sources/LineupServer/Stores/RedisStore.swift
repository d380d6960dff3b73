package import LineupCore
package import LineupRedis

/// Lineup's shared state in Redis — standalone or Redis Cluster, through any
/// `RedisCommandRunner` — with the key schema of `RedisKeys` (docs/redis-keys.md). It
/// implements every store protocol of LineupCore (`LineupStore`) and passes the same contract
/// tests as the embedded `InMemoryStore`. Each operation is one pipeline (one round trip per
/// node), bounded by the caller's deadline; a reply that does not parse is a thrown
/// `RedisError(.protocolError)` — a dependency failure the caller falls back from, never a
/// crash.
package struct RedisStore: Sendable {
  package let redis: any RedisCommandRunner

  package init(redis: any RedisCommandRunner) {
    self.redis = redis
  }

  /// Runs a pipeline (re-sending scripts Redis has not cached) and throws on the first error
  /// reply, naming the command — except for the commands at `tolerated` positions, whose
  /// error replies are returned for the caller to judge.
  @discardableResult
  func run(
    _ commands: [RedisCommand], deadline: ContinuousClock.Instant, toleratingErrorsIn tolerated: Range<Int> = 0..<0
  ) async throws(RedisError) -> [RESPValue] {
    guard !commands.isEmpty else { return [] }
    let replies = try await redis.pipeline(commands, scripts: RedisScripts.all, deadline: deadline)
    for (index, (command, reply)) in zip(commands, replies).enumerated() where !tolerated.contains(index) {
      if case .error(let message) = reply { throw RedisError(.serverError, "\(command): \(message)") }
    }
    return replies
  }

  static func malformed(_ what: String) -> RedisError {
    RedisError(.protocolError, "unparsable \(what)")
  }
}

/// Parsing helpers for replies; each returns nil for a shape it does not expect.
extension RESPValue {
  /// A `WITHSCORES` reply as (member, score) pairs.
  var scoredMembers: [(member: String, score: Double)]? {
    guard let flat = array, flat.count % 2 == 0 else { return nil }
    var pairs: [(String, Double)] = []
    pairs.reserveCapacity(flat.count / 2)
    for index in stride(from: 0, to: flat.count, by: 2) {
      guard let member = flat[index].string, let text = flat[index + 1].string, let score = Double(text), !score.isNaN else {
        return nil
      }
      pairs.append((member, score))
    }
    return pairs
  }

  /// An HGETALL reply as a dictionary.
  var fieldMap: [String: String]? {
    guard let flat = array, flat.count % 2 == 0 else { return nil }
    var map: [String: String] = [:]
    for index in stride(from: 0, to: flat.count, by: 2) {
      guard let field = flat[index].string, let value = flat[index + 1].string else { return nil }
      map[field] = value
    }
    return map
  }

  /// The raw bytes of a bulk reply.
  var bytes: [UInt8]? {
    if case .bulk(let bytes) = self { return bytes }
    return nil
  }

  var isNull: Bool { self == .null }
}

extension Double {
  /// Shortest text that reads back as the same double (Redis parses it exactly).
  var redisArgument: String { "\(self)" }
}
