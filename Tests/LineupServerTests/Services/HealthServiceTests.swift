import GRPCCore
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

@Suite("Health service end to end")
struct HealthServiceTests {
  @Test("Check is SERVING for the server and each service, NOT_FOUND for an unknown one")
  func check() async throws {
    try await withLineupClient { client, _ in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      for service in ["", "lineup.v1.Recommender", "lineup.v1.Admin", "grpc.health.v1.Health"] {
        #expect(try await health.check(.with { $0.service = service }).status == .serving)
      }
      await #expect(throws: RPCError.self) {
        _ = try await health.check(.with { $0.service = "no.such.Service" })
      }
      let listed = try await health.list(.init())
      #expect(listed.statuses["lineup.v1.Recommender"]?.status == .serving)
    }
  }

  @Test("Watch sends the current state, then NOT_SERVING when draining, then ends")
  func watchUntilDrain() async throws {
    try await withLineupClient { client, application in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let statuses = try await health.watch(.with { $0.service = "" }) { response in
        var seen: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
        for try await message in response.messages {
          seen.append(message.status)
          if seen.count == 1 { application.health.beginDraining() }
        }
        return seen
      }
      #expect(statuses == [.serving, .notServing])
    }
  }

  @Test("Watch of an unknown service says SERVICE_UNKNOWN instead of failing")
  func watchUnknown() async throws {
    try await withLineupClient { client, application in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let first = try await health.watch(.with { $0.service = "no.such.Service" }) { response in
        var iterator = response.messages.makeAsyncIterator()
        let first = try await iterator.next()?.status
        application.health.beginDraining()
        return first
      }
      #expect(first == .serviceUnknown)
    }
  }
}
