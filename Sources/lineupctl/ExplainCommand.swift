import ArgumentParser
import LineupWire
import SwiftProtobuf

/// `lineupctl explain USER ITEM`: why an item is (or is not) in the user's slate — its score
/// factors, the candidate sources that proposed it, the guardrails that moved it.
struct ExplainCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Explain why an item is or is not in a user's recommendations."
  )

  @Argument(help: "The user id.")
  var user: String

  @Argument(help: "The item id.")
  var item: String

  @Option(help: "The user's country, as for `recs` (ISO 3166-1 alpha-2).")
  var country: String?

  @Option(help: "The `--limit` of the `recs` call being explained, 1…100.")
  var limit = 20

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func validate() throws {
    guard (1...100).contains(limit) else { throw ValidationError("--limit must be 1…100, got \(limit)") }
    if let country { _ = try countryCode(country, option: "--country") }
  }

  func run() async throws {
    let request = try Lineup_V1_ExplainRecommendationRequest.with {
      $0.userID = user
      $0.itemID = item
      $0.context.country = try country.map { try countryCode($0, option: "--country") } ?? ""
      $0.limit = Int32(limit)
    }
    try await LineupConnection.with(global) { lineup in
      let response = try await lineup.call {
        try await lineup.recommender.explainRecommendation(request, options: $0, onResponse: LineupConnection.outcome)
      }
      try emit(response, json: lineup.settings.json) { Self.printExplanation(response) }
    }
  }

  private static func printExplanation(_ response: Lineup_V1_ExplainRecommendationResponse) {
    if response.inSlate {
      print("item \(response.itemID): in the slate at position \(response.position)")
    } else {
      let why = response.notInSlateReason.isEmpty ? "no reason given" : response.notInSlateReason
      print("item \(response.itemID): not in the slate (\(why))")
    }
    print("")
    if response.factors.isEmpty {
      print("factors: none")
    } else {
      var factors = TextTable(["factor", "value", "contribution"], rightAligned: [1, 2])
      for factor in response.factors { factors.append([factor.name, decimal(factor.value), decimal(factor.contribution)]) }
      let total = response.factors.reduce(0) { $0 + $1.contribution }
      factors.append(["total", "", decimal(total)])
      print(factors.rendered)
    }
    print("")
    print("sources: \(response.sources.isEmpty ? "none" : response.sources.joined(separator: ", "))")
    print("guardrails: \(response.guardrails.isEmpty ? "none" : response.guardrails.joined(separator: ", "))")
    if !response.reasons.isEmpty {
      print("")
      print(reasonsTable(response.reasons).rendered)
    }
    print("")
    for line in response.provenance.summaryLines { print(line) }
  }
}
