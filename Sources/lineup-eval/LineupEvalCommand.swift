import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupCore
import LineupEval
import LineupServer
import LineupTesting
import Logging

/// `lineup-eval`: the offline evaluation. Generates a synthetic dataset with planted
/// structure, starts a lineup-server in this process (the embedded in-memory store, or
/// `--redis`), loads the catalog and the history before a time cut through the public RPCs,
/// and scores GetRecommendations against what each user did after the cut, next to the
/// popularity-by-country baseline. Before the replay it writes each user's model candidates
/// from a small offline trainer (`CategoryAffinityTrainer`, training events only), as a
/// nightly job would write them into Redis; `--no-model` serves from the online sources alone.
/// docs/evaluation.md records the figures.
@main
struct LineupEvalCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lineup-eval",
    abstract: "Offline evaluation: personalized slates vs the popularity-by-country baseline on a synthetic dataset."
  )

  @Option(help: "Users in the dataset.") var users = DatasetSpec().users
  @Option(help: "Catalog items.") var items = DatasetSpec().items
  @Option(help: "Categories.") var categories = DatasetSpec().categories
  @Option(help: "Creators.") var creators = DatasetSpec().creators
  @Option(help: "Share of a user's events inside their preferred categories (0…1).") var preferenceStrength = DatasetSpec().preferenceStrength
  @Option(help: "Chance an event stays in the previous event's category (0…1).") var sessionStickiness = DatasetSpec().sessionStickiness
  @Option(help: "Newest share of events held out (0.01…0.9).") var holdoutShare = DatasetSpec().holdoutShare
  @Option(help: "Seed of the dataset.") var seed = DatasetSpec().seed
  @Option(help: "Run the in-process server against this Redis (redis://host:port) instead of the in-memory store.")
  var redis: String?
  @Option(help: "Ranking settings for the in-process server, as lineup-server's --ranking (name=value,…).")
  var ranking: String?
  @Flag(help: "Serve without the trained model candidates (co-visitation, trending and new creators only).") var noModel = false
  @Flag(help: "Print the report as JSON.") var json = false
  @Flag(help: "Exit 1 when a playbook target is missed.") var check = false

  func run() async throws {
    var spec = DatasetSpec()
    spec.users = users
    spec.items = items
    spec.categories = categories
    spec.creators = creators
    spec.preferenceStrength = preferenceStrength
    spec.sessionStickiness = sessionStickiness
    spec.holdoutShare = holdoutShare
    spec.seed = seed
    if let problem = spec.problem { throw ValidationError(problem) }

    let dataset = SyntheticDataset.generate(spec, now: Date().timeIntervalSince1970)
    let split = HoldoutSplit(events: dataset.events, holdoutShare: spec.holdoutShare)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lineup-eval-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    try BaselineFiles.write(dataset, train: split.train, to: directory)

    var configuration = RunningLineup.testConfiguration()
    configuration.fallback.directory = directory.path
    configuration.metricsPort = nil
    if let redis { try configuration.apply(.redisURL, redis, source: "--redis") }
    if let ranking { try configuration.apply(.ranking, ranking, source: "--ranking") }
    let model = noModel ? [:] : CategoryAffinityTrainer.candidates(items: dataset.items, train: split.train)
    let report = try await RunningLineup.with(configuration: configuration) { port, application in
      // What the nightly trainer would write: the store's own model-candidate keys.
      for (user, candidates) in model {
        let written = ModelCandidates(
          modelVersion: CategoryAffinityTrainer.modelVersion, items: candidates.map { PopularityEntry(itemID: $0.itemID, score: $0.score) })
        try await application.store.putCandidates(written, for: user, ttlSeconds: nil, deadline: .now + .seconds(5))
      }
      if !model.isEmpty { FileHandle.standardError.write(Data("lineup-eval: model: candidates written for \(model.count) users\n".utf8)) }
      return try await withGRPCClient(
        transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
      ) { client in
        try await EvalRunner(client: client).run(dataset, split: split) { line in
          FileHandle.standardError.write(Data("lineup-eval: \(line)\n".utf8))
        }
      }
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
      print(report.markdown)
    }
    if check && !report.allTargetsMet { throw ExitCode(1) }
  }
}
