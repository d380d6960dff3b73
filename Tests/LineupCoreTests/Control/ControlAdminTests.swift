import Foundation
import LineupCore
import Testing

/// Audited control changes: validated, stored with their audit entry, applied at once; a
/// store that cannot take a change leaves it unmade. And a replica's plane follows the
/// shared state, keeping the last known one when it cannot be read.
@Suite("Control plane and audited changes")
struct ControlAdminTests {
  static let soon = ContinuousClock.now + .seconds(5)

  static func plane() -> ControlPlane {
    ControlPlane(defaults: FlagCatalog.defaults(), clock: { 0 })
  }

  @Test("SetFlag validates, keeps the stored salt when none is sent, audits old and new, and applies at once")
  func setFlag() async throws {
    let store = InMemoryStore()
    let admin = ControlAdmin(plane: Self.plane(), store: store, now: { 1_800_000_000 })
    var flag = FeatureFlag(name: "recs", rolloutBps: 1_000, salt: "")
    flag.salt = ""
    let (stored, previous, id) = try await admin.setFlag(flag, actor: "alice", reason: "ramp to 10%", deadline: Self.soon)
    #expect(stored.salt == "recs")
    #expect(stored.updatedBy == "alice" && stored.updatedAt == 1_800_000_000)
    #expect(previous?.rolloutBps == 10_000)
    #expect(admin.plane.flag("recs") == stored)
    let audit = try await store.auditEntries(limit: 10, beforeID: nil, deadline: Self.soon)
    #expect(audit.map(\.id) == [id])
    #expect(audit[0].action == "flag.set" && audit[0].actor == "alice" && audit[0].reason == "ramp to 10%")
    #expect(audit[0].oldValue.contains("\"rollout_bps\":10000") && audit[0].newValue.contains("\"rollout_bps\":1000"))
    #expect(try await store.controlSnapshot(deadline: Self.soon).flags["recs"] == stored)
  }

  @Test("a bad flag and a missing reason are refused together, naming each field; nothing is stored")
  func refusals() async throws {
    let store = InMemoryStore()
    let admin = ControlAdmin(plane: Self.plane(), store: store, now: { 0 })
    do {
      _ = try await admin.setFlag(FeatureFlag(name: "Recs!", rolloutBps: 10_001), actor: "a", reason: "  ", deadline: Self.soon)
      Issue.record("accepted a bad flag")
    } catch {
      #expect(error.code == .invalidArgument)
      #expect(Set(error.violations.map(\.field)) == ["flag.name", "flag.rollout_bps", "reason"])
    }
    do {
      _ = try await admin.setBreakerOverride(.forcedOpen, name: "no.such", actor: "a", reason: "x", deadline: Self.soon)
      Issue.record("accepted an unknown breaker")
    } catch {
      #expect(error.violations.map(\.field) == ["name"])
    }
    #expect(try await store.auditEntries(limit: 10, beforeID: nil, deadline: Self.soon).isEmpty)
  }

  @Test("a store that cannot take the change: UNAVAILABLE, and the change is not made on this replica either")
  func storeDown() async throws {
    let plane = Self.plane()
    let admin = ControlAdmin(plane: plane, store: UnreachableControlStore(), now: { 0 })
    do {
      _ = try await admin.setBreakerOverride(.forcedOpen, name: BreakerCatalog.redisRead, actor: "a", reason: "drill", deadline: Self.soon)
      Issue.record("a change the store did not take was reported made")
    } catch {
      #expect(error.code == .unavailable)
    }
    #expect(plane.breaker(BreakerCatalog.redisRead)?.snapshot.state == .closed)
  }

  @Test("the plane applies shared overrides and flags over its defaults; an unreadable store keeps the last state, marked stale")
  func sync() async throws {
    let store = InMemoryStore()
    let plane = Self.plane()
    let writer = ControlAdmin(plane: Self.plane(), store: store, now: { 0 })
    _ = try await writer.setFlag(FeatureFlag(name: "recs", killed: true), actor: "a", reason: "incident", deadline: Self.soon)
    _ = try await writer.setBreakerOverride(.forcedOpen, name: BreakerCatalog.redisRead, actor: "a", reason: "drill", deadline: Self.soon)
    #expect(!plane.isFresh)
    #expect(await ControlSync(plane: plane, store: store, now: { 5 }).refresh(deadline: Self.soon) == nil)
    #expect(plane.isFresh)
    #expect(plane.evaluate("recs", userID: "u1", country: "BR")?.result == .off)
    #expect(plane.evaluate("feed", userID: "u1", country: "BR")?.result == .on)
    #expect(plane.breaker(BreakerCatalog.redisRead)?.acquire() == nil)

    #expect(await ControlSync(plane: plane, store: UnreachableControlStore(), now: { 6 }).refresh(deadline: Self.soon) != nil)
    #expect(!plane.isFresh)
    #expect(plane.staleReason != nil)
    #expect(plane.evaluate("recs", userID: "u1", country: "BR")?.result == .off)
    #expect(plane.breaker(BreakerCatalog.redisRead)?.snapshot.state == .forcedOpen)

    _ = try await writer.setBreakerOverride(.auto, name: BreakerCatalog.redisRead, actor: "a", reason: "over", deadline: Self.soon)
    await ControlSync(plane: plane, store: store, now: { 7 }).refresh(deadline: Self.soon)
    #expect(plane.breaker(BreakerCatalog.redisRead)?.snapshot.state == .closed)
  }

  @Test("audit paging arguments are checked")
  func auditArguments() async throws {
    let admin = ControlAdmin(plane: Self.plane(), store: InMemoryStore(), now: { 0 })
    await #expect(throws: LineupError.self) { try await admin.auditEntries(limit: 1_001, beforeID: nil, deadline: Self.soon) }
    await #expect(throws: LineupError.self) { try await admin.auditEntries(limit: 10, beforeID: "yesterday", deadline: Self.soon) }
    #expect(try await admin.auditEntries(limit: 0, beforeID: "", deadline: Self.soon).isEmpty)
  }
}

/// A control store whose every call fails, as a shared store that is down does.
struct UnreachableControlStore: ControlStore {
  struct Down: Error {}
  func controlSnapshot(deadline: ContinuousClock.Instant) async throws -> ControlSnapshot { throw Down() }
  func saveFlag(_ flag: FeatureFlag, audit: AuditEntry, deadline: ContinuousClock.Instant) async throws -> String { throw Down() }
  func saveBreakerOverride(_ override: BreakerOverride, for name: String, audit: AuditEntry, deadline: ContinuousClock.Instant) async throws -> String {
    throw Down()
  }
  func appendAudit(_ entry: AuditEntry, deadline: ContinuousClock.Instant) async throws -> String { throw Down() }
  func auditEntries(limit: Int, beforeID: String?, deadline: ContinuousClock.Instant) async throws -> [AuditEntry] { throw Down() }
}
