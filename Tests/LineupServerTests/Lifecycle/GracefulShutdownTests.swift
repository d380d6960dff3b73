import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupServer
import LineupTesting
import LineupWire
import Logging
import ServiceLifecycle
import SwiftProtobuf
import Testing

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
  @Test("a shutdown turns health NOT_SERVING, ends open Watch streams, and the server returns")
  func drains() async throws {
    let application = LineupApplication(configuration: RunningLineup.testConfiguration(), logger: Logger(label: "test"))
    try await ListeningServiceHarness.with(
      logger: Logger(label: "test"),
      service: { application.makeServerService(onListening: $0) }
    ) { port, group in
      try await withGRPCClient(
        transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
      ) { client in
        let health = Grpc_Health_V1_Health.Client(wrapping: client)
        // An RPC in flight when the shutdown starts: the Watch stream.
        let statuses = try await health.watch(.with { $0.service = "lineup.v1.Recommender" }) { response in
          var seen: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
          for try await message in response.messages {
            seen.append(message.status)
            if seen.count == 1 { await group.triggerGracefulShutdown() }
          }
          return seen
        }
        #expect(statuses == [.serving, .notServing])
      }
      // The harness then waits for the group (and so serve()) to return on its own.
    }
  }

  @Test("startup racing a drain never flips health back to SERVING")
  func noServingAfterDrain() {
    let status = HealthStatus(services: [])
    status.beginDraining()
    status.markAllServing()
    #expect(status.status(of: "") == .notServing)
  }
}
