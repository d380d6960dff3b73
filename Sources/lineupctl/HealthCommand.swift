import ArgumentParser
import LineupWire
import SwiftProtobuf

/// `lineupctl health`: grpc.health.v1 Check, with the exit code a probe script wants.
struct HealthCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "health",
    abstract: "Ask grpc.health.v1 whether Lineup is serving; exit 0 when SERVING, 1 otherwise."
  )

  @Option(help: "The service to check, e.g. lineup.v1.Recommender; \"\" (the default) is the server as a whole.")
  var service = ""

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func run() async throws {
    let status = try await LineupConnection.with(global) { lineup in
      let request = Grpc_Health_V1_HealthCheckRequest.with { $0.service = service }
      let response = try await lineup.call {
        try await lineup.health.check(request, options: $0, onResponse: LineupConnection.outcome)
      }
      try emit(response, json: lineup.settings.json) {
        print("\(service.isEmpty ? "server" : service): \(response.status.label)")
      }
      return response.status
    }
    if status != .serving { throw ExitCode(1) }
  }
}

extension Grpc_Health_V1_HealthCheckResponse.ServingStatus {
  /// The name as the proto spells it, without the enum prefix (UNRECOGNIZED values keep their number).
  var label: String {
    switch self {
    case .unknown: "UNKNOWN"
    case .serving: "SERVING"
    case .notServing: "NOT_SERVING"
    case .serviceUnknown: "SERVICE_UNKNOWN"
    case .UNRECOGNIZED(let value): "STATUS_\(value)"
    }
  }
}
