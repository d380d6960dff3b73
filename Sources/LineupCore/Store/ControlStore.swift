/// Where the control state and its audit trail live, shared by every replica. A change and
/// its audit entry are written together (one transaction on Redis), so no change goes
/// unaudited; the audit stream is capped at `auditCap` entries.
package protocol ControlStore: Sendable {
  /// Every stored flag and breaker override.
  func controlSnapshot(deadline: ContinuousClock.Instant) async throws -> ControlSnapshot
  /// Stores `flag` (replacing one of the same name) with its audit entry; returns the
  /// entry's id.
  func saveFlag(_ flag: FeatureFlag, audit: AuditEntry, deadline: ContinuousClock.Instant) async throws -> String
  /// Stores an override (AUTO removes it) with its audit entry; returns the entry's id.
  func saveBreakerOverride(
    _ override: BreakerOverride, for name: String, audit: AuditEntry, deadline: ContinuousClock.Instant
  ) async throws -> String
  /// Appends an audit entry for a change that is not control state (a reload, an erasure).
  func appendAudit(_ entry: AuditEntry, deadline: ContinuousClock.Instant) async throws -> String
  /// Newest first, at most `limit`, older than `beforeID` when given.
  func auditEntries(limit: Int, beforeID: String?, deadline: ContinuousClock.Instant) async throws -> [AuditEntry]
}

/// Entries the audit stream keeps (older ones are trimmed). Default 10,000.
package let auditCap = 10_000
