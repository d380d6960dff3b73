/// What the stores talk to: something that runs Redis commands under a deadline. A
/// standalone pool (`RedisClient`) and a Redis Cluster router (`RedisClusterClient`) both
/// are one, so every store works unchanged on either.
///
/// Both fail fast: with no live connection to the node a command needs they throw
/// `.unavailable` at once instead of waiting for a reconnect, so a caller on the request path
/// can answer from its fallback within budget.
package protocol RedisCommandRunner: Sendable {
  /// Sends one command; an error reply (`-ERR …`) is thrown as `.serverError`.
  func send(_ command: RedisCommand, deadline: ContinuousClock.Instant) async throws(RedisError) -> RESPValue

  /// Sends commands as a pipeline and returns one reply per command, in order. Error replies
  /// stay values so the caller sees which command failed. On a standalone server this is one
  /// round trip; on a cluster, one round trip per node the commands' keys live on (one, when
  /// the keys share a hash tag), run concurrently.
  func pipeline(_ commands: [RedisCommand], deadline: ContinuousClock.Instant) async throws(RedisError) -> [RESPValue]

  /// True when at least one connection is up (for readiness and tests).
  var isConnected: Bool { get }

  /// True when every command (a script call included) must keep its keys in one hash slot,
  /// as on Redis Cluster; false on a standalone server, where one script may touch the keys
  /// of many users at once.
  var keysMustShareASlot: Bool { get }
}

extension RedisClient: RedisCommandRunner {
  package var isConnected: Bool { liveConnections > 0 }
  package var keysMustShareASlot: Bool { false }
}
