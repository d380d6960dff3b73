/// A Lua script run server-side, addressed by its SHA-1 as Redis caches it: commands are
/// sent as `EVALSHA`, and a pipeline resends any command answered `NOSCRIPT` (a restarted or
/// new node that has not seen the script) as `EVAL` with the source, which also caches it.
package struct RedisScript: Sendable, Hashable {
  package let source: String
  /// The SHA-1 hex digest Redis names the script by.
  package let sha1: String

  package init(_ source: String) {
    self.source = source
    self.sha1 = SHA1.hex(Array(source.utf8))
  }

  /// `EVALSHA sha1 numkeys keys… arguments…`.
  package func command(keys: [String], arguments: [String]) -> RedisCommand {
    RedisCommand("EVALSHA", [sha1, String(keys.count)] + keys + arguments)
  }
}

extension RedisCommandRunner {
  /// Sends a pipeline in which some commands are `EVALSHA`s of `scripts`; those answered
  /// NOSCRIPT are resent once as `EVAL` with the source. Replies stay in command order.
  package func pipeline(
    _ commands: [RedisCommand],
    scripts: [RedisScript],
    deadline: ContinuousClock.Instant
  ) async throws(RedisError) -> [RESPValue] {
    var replies = try await pipeline(commands, deadline: deadline)
    let sources = Dictionary(scripts.map { (Array($0.sha1.utf8), $0.source) }, uniquingKeysWith: { first, _ in first })
    var retries: [(index: Int, command: RedisCommand)] = []
    for (index, reply) in replies.enumerated() {
      guard case .error(let message) = reply, message.hasPrefix("NOSCRIPT"),
        let sha1 = commands[index].argument(at: 1), let source = sources[Array(sha1)]
      else { continue }
      var arguments = commands[index].arguments
      arguments[0] = Array("EVAL".utf8)
      arguments[1] = Array(source.utf8)
      retries.append((index, RedisCommand(bytes: arguments)))
    }
    guard !retries.isEmpty else { return replies }
    let retried = try await pipeline(retries.map(\.command), deadline: deadline)
    for (retry, reply) in zip(retries, retried) { replies[retry.index] = reply }
    return replies
  }
}
