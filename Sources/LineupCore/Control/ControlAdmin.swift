import Foundation

/// The audited changes operators make through the Admin service: each is validated, stored
/// in the shared store together with its audit entry (so every replica picks it up and no
/// change goes unrecorded), applied to this replica at once, and logged by the caller.
/// A change the store cannot take is not made (UNAVAILABLE): replicas must never disagree
/// about a flag because one of them could not write it.
package struct ControlAdmin: Sendable {
  package let plane: ControlPlane
  package let store: any ControlStore
  private let now: @Sendable () -> Double

  package init(plane: ControlPlane, store: any ControlStore, now: @escaping @Sendable () -> Double) {
    self.plane = plane
    self.store = store
    self.now = now
  }

  /// Creates or replaces a flag; returns it as stored and the one it replaced.
  package func setFlag(
    _ requested: FeatureFlag, actor: String, reason: String, deadline: ContinuousClock.Instant
  ) async throws(LineupError) -> (stored: FeatureFlag, previous: FeatureFlag?, auditID: String) {
    var violations = requested.violations()
    if let problem = Self.reasonProblem(reason) { violations.append(problem) }
    guard violations.isEmpty else { throw .invalidArgument(violations) }
    var flag = requested
    // An unset salt keeps the stored one: leaving it out must not reshuffle the rollout.
    let previous = plane.flag(flag.name)
    if flag.salt.isEmpty { flag.salt = previous?.salt ?? flag.name }
    flag.updatedAt = now()
    flag.updatedBy = actor
    let entry = AuditEntry(
      actor: actor, at: flag.updatedAt!, action: "flag.set", target: flag.name, oldValue: previous.map(Self.json) ?? "",
      newValue: Self.json(flag), reason: reason)
    let id = try await write { try await store.saveFlag(flag, audit: entry, deadline: deadline) }
    plane.apply(flag: flag)
    return (flag, previous, id)
  }

  /// Forces a breaker open, disables it, or returns it to AUTO; returns it after the change
  /// and the override before.
  package func setBreakerOverride(
    _ override: BreakerOverride, name: String, actor: String, reason: String, deadline: ContinuousClock.Instant
  ) async throws(LineupError) -> (breaker: BreakerSnapshot, previous: BreakerOverride, auditID: String) {
    var violations: [FieldViolation] = []
    let breaker = plane.breaker(name)
    if breaker == nil {
      violations.append(
        FieldViolation(field: "name", description: "no breaker \"\(name)\"; known: \(BreakerCatalog.names.joined(separator: ", "))"))
    }
    if let problem = Self.reasonProblem(reason) { violations.append(problem) }
    guard violations.isEmpty, let breaker else { throw .invalidArgument(violations) }
    let previous = breaker.snapshot.override
    let entry = AuditEntry(
      actor: actor, at: now(), action: "breaker.override", target: name, oldValue: "\"\(previous.rawValue)\"",
      newValue: "\"\(override.rawValue)\"", reason: reason)
    let id = try await write { try await store.saveBreakerOverride(override, for: name, audit: entry, deadline: deadline) }
    plane.apply(override: override, to: name)
    return (breaker.snapshot, previous, id)
  }

  /// Audits a change that is not control state (ReloadFallback, DeleteUserData).
  package func audit(
    action: String, target: String, oldValue: String = "", newValue: String, actor: String, reason: String,
    deadline: ContinuousClock.Instant
  ) async throws(LineupError) -> String {
    let entry = AuditEntry(actor: actor, at: now(), action: action, target: target, oldValue: oldValue, newValue: newValue, reason: reason)
    return try await write { try await store.appendAudit(entry, deadline: deadline) }
  }

  /// The newest audit entries first.
  package func auditEntries(limit: Int, beforeID: String?, deadline: ContinuousClock.Instant) async throws(LineupError) -> [AuditEntry] {
    guard (0...1_000).contains(limit) else {
      throw .invalidArgument([FieldViolation(field: "limit", description: "must be 0…1000 (0 means 100), got \(limit)")])
    }
    if let beforeID, !beforeID.isEmpty, !Self.isStreamID(beforeID) {
      throw .invalidArgument([FieldViolation(field: "before_id", description: "must be an audit id like 1732352400000-0, got \"\(beforeID)\"")])
    }
    do {
      return try await store.auditEntries(limit: limit == 0 ? 100 : limit, beforeID: beforeID?.isEmpty == true ? nil : beforeID, deadline: deadline)
    } catch {
      throw LineupError(code: .unavailable, message: "the shared store could not be read for the audit log; retry", cause: error)
    }
  }

  /// A required reason: 1…1024 bytes.
  package static func reasonProblem(_ reason: String) -> FieldViolation? {
    let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
    if trimmed.isEmpty { return FieldViolation(field: "reason", description: "is required: say why, for the audit log") }
    if reason.utf8.count > 1_024 { return FieldViolation(field: "reason", description: "must be at most 1024 bytes, got \(reason.utf8.count)") }
    return nil
  }

  /// "<ms>-<seq>" with both parts unsigned 64-bit integers, and not "0-0" (which Redis
  /// refuses as a bound).
  static func isStreamID(_ id: String) -> Bool {
    let parts = id.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 2, let ms = UInt64(parts[0]), let seq = UInt64(parts[1]) else { return false }
    return ms != 0 || seq != 0
  }

  private func write<T>(_ body: () async throws -> T) async throws(LineupError) -> T {
    do {
      return try await body()
    } catch let error as LineupError {
      throw error
    } catch {
      throw LineupError(
        code: .unavailable, message: "the shared store did not take the change, so it was not made; retry when it is back", cause: error)
    }
  }

  static func json(_ flag: FeatureFlag) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(flag)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
  }
}
