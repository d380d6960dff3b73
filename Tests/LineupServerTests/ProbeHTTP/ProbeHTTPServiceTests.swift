import Foundation
import LineupServer
import LineupTesting
import Logging
import ServiceLifecycle
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Probe HTTP endpoint (/healthz, /readyz)")
struct ProbeHTTPServiceTests {
  private func status(_ port: Int, _ path: String) async throws -> Int {
    let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
    let (_, response) = try await URLSession.shared.data(from: url)
    return (response as? HTTPURLResponse)?.statusCode ?? -1
  }

  @Test("readyz follows the gRPC health status; healthz is always 200; other paths 404")
  func probes() async throws {
    let application = LineupApplication(configuration: RunningLineup.testConfiguration(), logger: Logger(label: "test"))
    try await ListeningServiceHarness.with(
      logger: Logger(label: "test"),
      service: { application.makeProbeService(port: 0, onListening: $0) }
    ) { (port: Int, _: ServiceGroup) async throws -> Void in
      #expect(try await status(port, "/healthz") == 200)
      #expect(try await status(port, "/readyz") == 503)  // the gRPC server has not started
      application.health.markAllServing()
      #expect(try await status(port, "/readyz") == 200)
      #expect(try await status(port, "/readyz?verbose=1") == 200)
      #expect(try await status(port, "/metricz") == 404)
      application.health.beginDraining()
      #expect(try await status(port, "/readyz") == 503)
    }
  }
}
