import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupEval
import LineupServer
import LineupTesting
import Testing

/// The whole evaluation over a real server on a small dataset: loaded through the public
/// RPCs, personalized slates beat the baseline on the planted structure and keep the
/// guardrails.
@Suite("Offline evaluation end to end")
struct EvalEndToEndTests {
  @Test func personalizedBeatsTheBaselineOnPlantedStructure() async throws {
    var spec = DatasetSpec()
    spec.users = 600
    spec.items = 360
    spec.creators = 72
    spec.categories = 6
    let dataset = SyntheticDataset.generate(spec, now: Date().timeIntervalSince1970)
    let split = HoldoutSplit(events: dataset.events, holdoutShare: spec.holdoutShare)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lineup-eval-test-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try BaselineFiles.write(dataset, train: split.train, to: directory)
    var configuration = RunningLineup.testConfiguration()
    configuration.fallback.directory = directory.path

    let report = try await RunningLineup.with(configuration: configuration) { port, _ in
      try await withGRPCClient(
        transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
      ) { client in
        try await EvalRunner(client: client).run(dataset, split: split)
      }
    }
    #expect(report.personalized.users == split.relevant.count)
    #expect(report.personalized.users > 500)
    // Users with history are served from their signals, not the baseline.
    #expect((report.personalized.sources["MODEL"] ?? 0) == report.personalized.users)
    #expect(report.personalized.ndcgAt10 > report.baseline.ndcgAt10 * 1.2, "\(report.markdown)")
    // The new-creator floor (⌈15% × 10⌉ = 2 per slate) holds over the wire.
    #expect(report.personalized.newCreatorShare >= 0.2, "\(report.markdown)")
  }
}
