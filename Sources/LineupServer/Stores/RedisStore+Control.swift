import Foundation
package import LineupCore
import LineupRedis

extension RedisStore: ControlStore {
  package func controlSnapshot(deadline: ContinuousClock.Instant) async throws -> ControlSnapshot {
    let replies = try await run(
      [RedisCommand("HGETALL", RedisKeys.controlFlags), RedisCommand("HGETALL", RedisKeys.controlBreakers)], deadline: deadline)
    guard let flagFields = replies[0].fieldMap, let breakerFields = replies[1].fieldMap else {
      throw Self.malformed("control state")
    }
    var snapshot = ControlSnapshot()
    let decoder = JSONDecoder()
    for (name, json) in flagFields {
      // One bad entry (written by hand, or by a newer version) must not take the other flags down
      // with it; replicas keep their last known value for it.
      guard let flag = try? decoder.decode(FeatureFlag.self, from: Data(json.utf8)), flag.name == name else {
        snapshot.unreadableFlags.insert(name)
        continue
      }
      snapshot.flags[name] = flag
    }
    for (name, value) in breakerFields {
      if let override = BreakerOverride(rawValue: value) { snapshot.breakerOverrides[name] = override }
    }
    return snapshot
  }

  package func saveFlag(_ flag: FeatureFlag, audit: AuditEntry, deadline: ContinuousClock.Instant) async throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let json = String(decoding: try encoder.encode(flag), as: UTF8.self)
    return try await transaction(
      RedisCommand("HSET", RedisKeys.controlFlags, flag.name, json), announcing: "flag:\(flag.name)", audit: audit, deadline: deadline)
  }

  package func saveBreakerOverride(
    _ override: BreakerOverride, for name: String, audit: AuditEntry, deadline: ContinuousClock.Instant
  ) async throws -> String {
    let change =
      override == .auto
      ? RedisCommand("HDEL", RedisKeys.controlBreakers, name) : RedisCommand("HSET", RedisKeys.controlBreakers, name, override.rawValue)
    return try await transaction(change, announcing: "breaker:\(name)", audit: audit, deadline: deadline)
  }

  package func appendAudit(_ entry: AuditEntry, deadline: ContinuousClock.Instant) async throws -> String {
    let reply = try await run([Self.xadd(entry)], deadline: deadline)[0]
    guard let id = reply.string else { throw Self.malformed("XADD reply") }
    return id
  }

  package func auditEntries(limit: Int, beforeID: String?, deadline: ContinuousClock.Instant) async throws -> [AuditEntry] {
    // "(" makes the bound exclusive (Redis 6.2+).
    let end = beforeID.map { "(\($0)" } ?? "+"
    let reply = try await run([RedisCommand("XREVRANGE", RedisKeys.audit, end, "-", "COUNT", String(limit))], deadline: deadline)[0]
    guard let entries = reply.array else { throw Self.malformed("audit stream") }
    return try entries.map { entry in
      guard let parts = entry.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].fieldMap else {
        throw Self.malformed("audit entry")
      }
      return AuditEntry(
        id: id, actor: fields["actor"] ?? "", at: Double(fields["at"] ?? "") ?? 0, action: fields["action"] ?? "",
        target: fields["target"] ?? "", oldValue: fields["old"] ?? "", newValue: fields["new"] ?? "", reason: fields["reason"] ?? "")
    }
  }

  /// The change, its audit entry and its announcement on `RedisKeys.controlChanges` in one
  /// MULTI/EXEC: all or none, so no replica hears of a change that is not stored yet.
  /// Returns the entry id.
  private func transaction(
    _ change: RedisCommand, announcing announcement: String, audit: AuditEntry, deadline: ContinuousClock.Instant
  ) async throws -> String {
    let replies = try await run(
      [
        RedisCommand("MULTI"), change, Self.xadd(audit), RedisCommand("PUBLISH", RedisKeys.controlChanges, announcement),
        RedisCommand("EXEC"),
      ], deadline: deadline)
    guard let results = replies[4].array, results.count == 3 else { throw Self.malformed("control transaction (EXEC aborted)") }
    if case .error(let message) = results[0] { throw RedisError(.serverError, "\(change): \(message)") }
    guard let id = results[1].string else { throw Self.malformed("XADD reply") }
    return id
  }

  private static func xadd(_ entry: AuditEntry) -> RedisCommand {
    RedisCommand(
      "XADD", RedisKeys.audit, "MAXLEN", "~", String(auditCap), "*", "actor", entry.actor, "at", entry.at.redisArgument, "action",
      entry.action, "target", entry.target, "old", entry.oldValue, "new", entry.newValue, "reason", entry.reason)
  }
}
