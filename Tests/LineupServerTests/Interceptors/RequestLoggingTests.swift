import GRPCCore
import LineupCore
import LineupServer
import LineupTesting
import LineupWire
import Logging
import SwiftProtobuf
import Testing

@Suite("Request logging")
struct RequestLoggingTests {
  @Test("log lines carry the request id and the hashed user id, never the raw user id")
  func hashedUserAndRequestID() async throws {
    let storage = RecordingLogHandler.Storage()
    let logger = Logger(label: "test") { _ in RecordingLogHandler(storage: storage, logLevel: .debug) }
    var config = RunningLineup.testConfiguration()
    config.userHashKey = "test-key"
    let rawUserID = "alice.private@example.com"

    try await withLineupClient(configuration: config, logger: logger) { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      _ = try await recommender.getRecommendations(
        .with {
          $0.userID = rawUserID
          $0.limit = 5
        },
        metadata: ["x-request-id": "log-test-1"]
      )
      // A rejected call is logged too, still without the raw id.
      _ = try? await recommender.getRecommendations(.with { $0.userID = rawUserID; $0.limit = 0 })
    }

    let records = storage.all
    let served = try #require(records.first { $0.message == "slate served" })
    #expect(served.metadata["request_id"] == "log-test-1")
    #expect(served.metadata["user"] == UserIDHasher(key: "test-key").hash(rawUserID).description)
    #expect(records.contains { $0.message == "rpc failed" && $0.metadata["code"] == "invalidArgument" }, "\(records.map { ($0.message, $0.metadata) })")
    for record in records {
      #expect(!record.message.contains(rawUserID))
      #expect(!record.metadata.values.contains { $0.contains(rawUserID) }, "\(record)")
    }
  }
}
