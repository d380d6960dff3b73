import GRPCCore
import LineupWire

/// lineup.v1.Admin. Registered so callers get an explicit answer naming the capability;
/// the control plane (flags, breakers, audit, authentication) fills it in.
struct AdminService: Lineup_V1_Admin.SimpleServiceProtocol {
  func listFlags(request: Lineup_V1_ListFlagsRequest, context: ServerContext) async throws -> Lineup_V1_ListFlagsResponse {
    throw notImplemented("ListFlags (feature flags)")
  }

  func setFlag(request: Lineup_V1_SetFlagRequest, context: ServerContext) async throws -> Lineup_V1_SetFlagResponse {
    throw notImplemented("SetFlag (feature flags)")
  }

  func listBreakers(
    request: Lineup_V1_ListBreakersRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_ListBreakersResponse {
    throw notImplemented("ListBreakers (circuit breakers)")
  }

  func setBreakerOverride(
    request: Lineup_V1_SetBreakerOverrideRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_SetBreakerOverrideResponse {
    throw notImplemented("SetBreakerOverride (circuit breakers)")
  }

  func listAuditEvents(
    request: Lineup_V1_ListAuditEventsRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_ListAuditEventsResponse {
    throw notImplemented("ListAuditEvents (audit log)")
  }

  func reloadFallback(
    request: Lineup_V1_ReloadFallbackRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_ReloadFallbackResponse {
    throw notImplemented("ReloadFallback (authenticated admin API)")
  }

  func deleteUserData(
    request: Lineup_V1_DeleteUserDataRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_DeleteUserDataResponse {
    throw notImplemented("DeleteUserData (user data erasure)")
  }
}
