import Foundation
package import GRPCCore
import LineupWire
import SwiftProtobuf

/// Drives an evaluation through the public RPCs only: UpsertItems for the catalog,
/// RecordInteractions for the history before the cut (in time order), then per evaluated
/// user one GetRecommendations (the personalized arm) and one GetTrending for their country
/// less what they have seen (the popularity-by-country baseline).
package struct EvalRunner<Transport: ClientTransport>: Sendable {
  package var client: GRPCClient<Transport>
  /// Slates asked for at once.
  package var concurrency = 8
  package var k = 10

  package init(client: GRPCClient<Transport>) {
    self.client = client
  }

  /// A failure that makes the evaluation meaningless (rejected data, failed RPCs).
  package struct Failure: Error, CustomStringConvertible {
    package var description: String
  }

  package func run(_ dataset: SyntheticDataset, split: HoldoutSplit, progress: @Sendable (String) -> Void = { _ in }) async throws -> EvalReport {
    let recommender = Lineup_V1_Recommender.Client(wrapping: client)
    try await loadCatalog(dataset.items, recommender)
    progress("catalog: \(dataset.items.count) items upserted")
    try await loadHistory(split.train, recommender)
    progress("history: \(split.train.count) events recorded")

    let users = split.relevant.keys.sorted()
    var personalized = ArmAccumulator(items: dataset.items)
    var baseline = ArmAccumulator(items: dataset.items)
    var oracle = ArmAccumulator(items: dataset.items)
    let oracleSlates = OracleSlates.slates(dataset, split: split, k: k)
    // One trending list per country serves every user there (filtered per user).
    var trending: [String: (items: [String], source: String)] = [:]
    for country in Set(dataset.countryOfUser.values) {
      let response = try await recommender.getTrending(.with { $0.context.country = country; $0.limit = 100 })
      trending[country] = (response.items.map(\.itemID), Self.name(response.provenance.source))
    }
    let slates = try await withThrowingTaskGroup(of: [(String, [String], String)].self) { group in
      let chunk = max(1, (users.count + concurrency - 1) / concurrency)
      for start in stride(from: 0, to: users.count, by: chunk) {
        let part = users[start..<min(users.count, start + chunk)]
        group.addTask {
          var answers: [(String, [String], String)] = []
          for user in part {
            let response = try await recommender.getRecommendations(
              .with {
                $0.userID = user
                $0.context.country = dataset.countryOfUser[user] ?? ""
                $0.limit = Int32(k)
              })
            answers.append((user, response.items.map(\.itemID), Self.name(response.provenance.source)))
          }
          return answers
        }
      }
      var all: [(String, [String], String)] = []
      for try await answers in group { all += answers }
      return all.sorted { $0.0 < $1.0 }
    }
    for (user, slate, source) in slates {
      let relevant = split.relevant[user] ?? []
      personalized.add(slate: slate, relevant: relevant, source: source, k: k)
      let seen = split.history[user] ?? []
      let popular = trending[dataset.countryOfUser[user] ?? ""] ?? ([], "NONE")
      baseline.add(slate: Array(popular.items.filter { !seen.contains($0) }.prefix(k)), relevant: relevant, source: popular.source, k: k)
      oracle.add(slate: oracleSlates[user] ?? [], relevant: relevant, source: "OFFLINE", k: k)
    }
    progress("replay: \(slates.count) users")
    return EvalReport(
      spec: dataset.spec, trainEvents: split.train.count, heldOutEvents: dataset.events.count - split.train.count,
      coldUsers: split.coldUsers, personalized: personalized.metrics, baseline: baseline.metrics,
      oracle: oracle.metrics)
  }

  private func loadCatalog(_ items: [EvalItem], _ recommender: Lineup_V1_Recommender.Client<Transport>) async throws {
    for start in stride(from: 0, to: items.count, by: 500) {
      let batch = items[start..<min(items.count, start + 500)].map { item in
        Lineup_V1_CatalogItem.with {
          $0.itemID = item.id
          $0.creatorID = item.creatorID
          $0.category = item.category
          $0.createdAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: item.createdAt))
          $0.creatorFirstSeen = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: item.creatorFirstSeen))
          $0.available = true
        }
      }
      let response = try await recommender.upsertItems(.with { $0.items = batch })
      if let rejection = response.rejections.first {
        throw Failure(description: "UpsertItems rejected \(rejection.itemID) (\(rejection.field)): \(rejection.reason)")
      }
    }
  }

  private func loadHistory(_ events: [EvalEvent], _ recommender: Lineup_V1_Recommender.Client<Transport>) async throws {
    // In time order, one batch at a time: co-visitation counts "watched j, then i".
    for start in stride(from: 0, to: events.count, by: 1_000) {
      let batch = events[start..<min(events.count, start + 1_000)].map { event in
        Lineup_V1_InteractionEvent.with {
          $0.eventID = event.eventID
          $0.appID = "lineup-eval"
          $0.userID = event.userID
          $0.itemID = event.itemID
          $0.type = .view
          $0.timestamp = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: event.timestamp))
          $0.context.country = event.country
          $0.watchSeconds = event.watchSeconds
        }
      }
      let response = try await recommender.recordInteractions(.with { $0.events = batch })
      if let rejection = response.rejections.first {
        throw Failure(description: "RecordInteractions rejected \(rejection.eventID) (\(rejection.field)): \(rejection.reason)")
      }
    }
  }

  private static func name(_ source: Lineup_V1_Source) -> String {
    switch source {
    case .model: "MODEL"
    case .cache: "CACHE"
    case .fallback: "FALLBACK"
    default: "UNSPECIFIED"
    }
  }
}
