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
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let group = ServiceGroup(
      services: [application.makeServerService(onListening: { continuation.yield($0); continuation.finish() })],
      logger: Logger(label: "test")
    )
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask {
        defer { continuation.finish() }
        try await group.run()
      }
      var iterator = ports.makeAsyncIterator()
      let port = try #require(await iterator.next())

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
      // The group (and so serve()) returns on its own, without cancellation.
      try await tasks.next()
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
