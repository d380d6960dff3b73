import ArgumentParser
import LineupWire
import SwiftProtobuf

/// `lineupctl recs USER`: the slate GetRecommendations serves the user now, with why each
/// item is there and how the slate was produced.
struct RecsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recs",
    abstract: "Show the recommendations a user gets: items, scores, reasons and provenance."
  )

  @Argument(help: "The user id.")
  var user: String

  @Option(help: "The user's country, ISO 3166-1 alpha-2 (e.g. BR); omitted = unknown, the global baseline.")
  var country: String?

  @Option(help: "How many items, 1…100.")
  var limit = 10

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func validate() throws {
    guard (1...100).contains(limit) else { throw ValidationError("--limit must be 1…100, got \(limit)") }
    if let country { _ = try countryCode(country, option: "--country") }
  }

  func run() async throws {
    let request = try Lineup_V1_GetRecommendationsRequest.with {
      $0.userID = user
      $0.context.country = try country.map { try countryCode($0, option: "--country") } ?? ""
      $0.limit = Int32(limit)
    }
    try await LineupConnection.with(global) { lineup in
      let response = try await lineup.call {
        try await lineup.recommender.getRecommendations(request, options: $0, onResponse: LineupConnection.outcome)
      }
      try emit(response, json: lineup.settings.json) {
        if response.items.isEmpty {
          print("no items")
        } else {
          var table = TextTable(["rank", "item", "creator", "category", "score", "new", "reasons"], rightAligned: [0, 4])
          for (index, item) in response.items.enumerated() {
            table.append([
              String(index + 1), item.itemID, item.creatorID, item.category, decimal(item.score), item.newCreator ? "new" : "-",
              item.reasons.map(\.code).joined(separator: ","),
            ])
          }
          print(table.rendered)
        }
        print("")
        for line in response.provenance.summaryLines { print(line) }
      }
    }
  }
}
