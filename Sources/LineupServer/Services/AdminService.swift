import Foundation
import GRPCCore
import LineupCore
import LineupWire
import Logging
import NIOPosix
import SwiftProtobuf

/// lineup.v1.Admin: flags, breaker overrides and the audit log through `ControlAdmin` (the
/// shared store, so every replica follows), and this replica's fallback data. Callers are
/// authenticated by `AdminAuthInterceptor`; every change is audited under their identity
/// and logged at notice level.
struct AdminService: Lineup_V1_Admin.SimpleServiceProtocol {
  let admin: ControlAdmin
  let fallback: FallbackDataHolder
  let catalog: CatalogHolder
  let fallbackDirectory: String
  /// Where DeleteUserData erases.
  let users: any UserDataStore
  /// This replica's copies of cached recommendations, emptied of an erased user at once
  /// (other replicas hear of it from the store's announcement); nil: none kept.
  let nearCache: NearCache<Slate>?
  /// Hashes user ids for the audit log and the logs.
  let userHasher: UserIDHasher
  /// The public RPCs' field limits (DeleteUserData checks user ids by the same rules).
  let limits: RequestLimits
  /// Monotonic seconds, the breakers' clock.
  let monotonicNow: @Sendable () -> Double
  let logger: Logger

  /// Control writes wait at most this long for the shared store.
  static let storeWait: Duration = .seconds(2)

  func listFlags(request: Lineup_V1_ListFlagsRequest, context: ServerContext) async throws -> Lineup_V1_ListFlagsResponse {
    .with {
      $0.flags = admin.plane.flags.map(Lineup_V1_Flag.init)
      $0.stateIsFresh = admin.plane.isFresh
    }
  }

  func setFlag(request: Lineup_V1_SetFlagRequest, context: ServerContext) async throws -> Lineup_V1_SetFlagResponse {
    try await mappingDomainErrors {
      guard request.hasFlag else {
        throw LineupError.invalidArgument([FieldViolation(field: "flag", description: "is required")])
      }
      let caller = try Self.caller()
      let (stored, previous, auditID) = try await admin.setFlag(
        FeatureFlag(wire: request.flag), actor: caller.actor, reason: request.reason, deadline: .now + Self.storeWait)
      log("flag.set", target: stored.name, caller: caller, reason: request.reason, auditID: auditID)
      return .with {
        $0.flag = Lineup_V1_Flag(stored)
        if let previous { $0.previous = Lineup_V1_Flag(previous) }
      }
    }
  }

  func listBreakers(request: Lineup_V1_ListBreakersRequest, context: ServerContext) async throws -> Lineup_V1_ListBreakersResponse {
    let (monotonic, wall) = (monotonicNow(), Date().timeIntervalSince1970)
    return .with {
      $0.breakers = admin.plane.breakers.values.map(\.snapshot).sorted { $0.name < $1.name }.map {
        Lineup_V1_Breaker($0, monotonicNow: monotonic, wallNow: wall)
      }
    }
  }

  func setBreakerOverride(
    request: Lineup_V1_SetBreakerOverrideRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_SetBreakerOverrideResponse {
    try await mappingDomainErrors {
      let override: BreakerOverride
      switch request.override {
      case .auto: override = .auto
      case .forcedOpen: override = .forcedOpen
      case .disabled: override = .disabled
      default:
        throw LineupError.invalidArgument([
          FieldViolation(field: "override", description: "must be BREAKER_OVERRIDE_AUTO, _FORCED_OPEN or _DISABLED")
        ])
      }
      let caller = try Self.caller()
      let (snapshot, previous, auditID) = try await admin.setBreakerOverride(
        override, name: request.name, actor: caller.actor, reason: request.reason, deadline: .now + Self.storeWait)
      log("breaker.override", target: request.name, caller: caller, reason: request.reason, auditID: auditID)
      return .with {
        $0.breaker = Lineup_V1_Breaker(snapshot, monotonicNow: monotonicNow(), wallNow: Date().timeIntervalSince1970)
        $0.previousOverride = Lineup_V1_Breaker.wire(previous)
      }
    }
  }

  func listAuditEvents(
    request: Lineup_V1_ListAuditEventsRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_ListAuditEventsResponse {
    try await mappingDomainErrors {
      let entries = try await admin.auditEntries(limit: Int(request.limit), beforeID: request.beforeID, deadline: .now + Self.storeWait)
      return .with { $0.events = entries.map(Lineup_V1_AuditEvent.init) }
    }
  }

  func reloadFallback(
    request: Lineup_V1_ReloadFallbackRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_ReloadFallbackResponse {
    try await mappingDomainErrors {
      if let problem = ControlAdmin.reasonProblem(request.reason) { throw LineupError.invalidArgument([problem]) }
      let caller = try Self.caller()
      let directory = fallbackDirectory
      // File reads block: on NIO's thread pool, never on the cooperative pool or a loop.
      let data = try await NIOThreadPool.singleton.runIfActive { FallbackDataLoader.load(directory: directory) }
      for warning in data.warnings { logger.warning("fallback data: \(warning)") }
      // A directory caught mid-deploy (no catalog, no baselines) must not replace good data:
      // every fallback answer would then be empty.
      guard !data.catalog.isEmpty, !data.global.isEmpty || !data.countries.isEmpty else {
        throw RPCError(
          code: .failedPrecondition,
          message: "\(directory) has no catalog or no popularity baselines (\(data.warnings.count) warning(s), e.g. "
            + "\(data.warnings.first.map(\.description) ?? "none")); the data in use was kept")
      }
      let previous = fallback.replace(with: data)
      catalog.replaceFiles(data.catalog)
      // The reload is made (the files are local): it is logged whatever happens to the audit
      // stream, and a store that is down does not turn it into a failure.
      var auditID = "not written"
      do {
        auditID = try await admin.audit(
          action: "fallback.reload", target: directory, oldValue: "\"\(previous.version)\"", newValue: "\"\(data.version)\"",
          actor: caller.actor, reason: request.reason, deadline: .now + Self.storeWait)
      } catch {
        logger.error("fallback reload made but its audit entry was not written", metadata: ["error": "\(error)"])
      }
      log("fallback.reload", target: directory, caller: caller, reason: request.reason, auditID: auditID)
      return .with {
        $0.countries = Int32(clamping: data.countries.count)
        $0.items = Int32(clamping: data.catalog.count)
        $0.badRows = Int32(clamping: data.warnings.filter { $0.line > 0 }.count)
        $0.warnings = data.warnings.map(\.description)
        $0.dataVersion = data.version
      }
    }
  }

  func deleteUserData(
    request: Lineup_V1_DeleteUserDataRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_DeleteUserDataResponse {
    try await mappingDomainErrors {
      // The same user-id rules as the public RPCs, so every id they accept can be erased.
      var validator = RequestValidator(limits: limits)
      validator.requiredID(request.userID, field: "user_id")
      if let problem = ControlAdmin.reasonProblem(request.reason) { validator.fail(problem.field, problem.description) }
      try validator.finish()
      let caller = try Self.caller()
      let removed: [String: Int]
      do {
        // A scan of the user's keys and of the events log: longer than a control write.
        removed = try await users.deleteUserData(request.userID, deadline: .now + .seconds(30))
      } catch {
        // Part of the user may be gone already; what this replica holds of them goes too.
        nearCache?.forget(userID: request.userID)
        throw LineupError(code: .unavailable, message: "the shared store did not finish erasing the user; retry (erasure is idempotent)", cause: error)
      }
      // After the store's erasure, not before: a read that began in between would otherwise
      // bring the user's answer back into the near cache.
      nearCache?.forget(userID: request.userID)
      // The audit names the user only by hash: the audit log must not keep what was erased.
      let target = userHasher.hash(request.userID).description
      let summary = removed.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
      let auditID = try await admin.audit(
        action: "user.delete", target: target, newValue: "{\(summary)}", actor: caller.actor, reason: request.reason,
        deadline: .now + Self.storeWait)
      log("user.delete", target: target, caller: caller, reason: request.reason, auditID: auditID)
      return .with {
        $0.removed = removed.sorted { $0.key < $1.key }.map { kind, count in
          .with {
            $0.kind = kind
            $0.count = Int64(count)
          }
        }
      }
    }
  }

  /// The authenticated caller; the interceptor always binds one for this service.
  private static func caller() throws -> AdminCaller {
    guard let caller = AdminCaller.current else {
      throw RPCError(code: .unauthenticated, message: "no authenticated caller")
    }
    return caller
  }

  private func log(_ action: String, target: String, caller: AdminCaller, reason: String, auditID: String) {
    logger.notice(
      "admin change", metadata: ["action": "\(action)", "target": "\(target)", "actor": "\(caller.actor)", "reason": "\(reason)", "audit_id": "\(auditID)"])
  }
}
