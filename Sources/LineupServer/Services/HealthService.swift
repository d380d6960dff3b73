import GRPCCore
import LineupWire
import SwiftProtobuf

/// The standard grpc.health.v1.Health service, answering from `HealthStatus`.
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
  let status: HealthStatus

  func check(
    request: Grpc_Health_V1_HealthCheckRequest,
    context: ServerContext
  ) async throws -> Grpc_Health_V1_HealthCheckResponse {
    guard let current = status.status(of: request.service) else {
      throw RPCError(code: .notFound, message: "service \"\(request.service)\" is not registered")
    }
    return .with { $0.status = Self.wire(current) }
  }

  func list(
    request: Grpc_Health_V1_HealthListRequest,
    context: ServerContext
  ) async throws -> Grpc_Health_V1_HealthListResponse {
    .with { response in
      for (service, current) in status.all {
        response.statuses[service] = .with { $0.status = Self.wire(current) }
      }
    }
  }

  func watch(
    request: Grpc_Health_V1_HealthCheckRequest,
    response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
    context: ServerContext
  ) async throws {
    for await update in status.watch(request.service) {
      try await response.write(.with { $0.status = update.map(Self.wire) ?? .serviceUnknown })
    }
  }

  private static func wire(_ status: HealthStatus.Status) -> Grpc_Health_V1_HealthCheckResponse.ServingStatus {
    switch status {
    case .serving: .serving
    case .notServing: .notServing
    }
  }
}
