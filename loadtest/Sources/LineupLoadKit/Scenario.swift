import Foundation

/// A workload shape (loadtest/scenarios/*.json): which RPCs in what mix, over which users and
/// countries. How hard and how long to drive it are options of the run, so one scenario
/// serves both a smoke test and a soak.
package struct Scenario: Sendable, Codable, Equatable {
  /// Users: `count` ids drawn with Zipf popularity (a few heavy users, a long tail), of which
  /// a `coldShare` have no model candidates (cold users the fallback must serve).
  package struct Users: Sendable, Codable, Equatable {
    package var count: Int
    package var zipfExponent: Double
    package var coldShare: Double

    package init(count: Int, zipfExponent: Double, coldShare: Double) {
      self.count = count
      self.zipfExponent = zipfExponent
      self.coldShare = coldShare
    }
  }

  package var name: String
  package var description: String
  /// Relative weights of the RPCs to send: recs, trending, ingest, health.
  package var rpcs: [String: Double]
  package var users: Users
  package var countries: [String]
  /// Slate size for recs and trending.
  package var limit: Int
  /// Events per RecordInteractions batch.
  package var ingestBatchSize: Int
  /// Items (of the demo catalog, it-00000…) the events and candidates refer to.
  package var catalogItems: Int
  /// Distinct request shapes per user (different `limit`s): 1 makes every repeat of a user a
  /// cache hit once warm; more spreads requests over more cache keys.
  package var shapesPerUser: Int

  package init(
    name: String, description: String, rpcs: [String: Double], users: Users, countries: [String], limit: Int,
    ingestBatchSize: Int, catalogItems: Int, shapesPerUser: Int
  ) {
    self.name = name
    self.description = description
    self.rpcs = rpcs
    self.users = users
    self.countries = countries
    self.limit = limit
    self.ingestBatchSize = ingestBatchSize
    self.catalogItems = catalogItems
    self.shapesPerUser = shapesPerUser
  }

  /// Reads and checks a scenario file; the error names the file and what is wrong.
  package static func load(_ path: String) throws -> Scenario {
    let scenario: Scenario
    do {
      scenario = try JSONDecoder().decode(Scenario.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw LoadTestError("\(path): \(error)")
    }
    if let problem = scenario.problem { throw LoadTestError("\(path): \(problem)") }
    return scenario
  }

  /// What is wrong with the scenario, or nil.
  package var problem: String? {
    let known: Set<String> = ["recs", "trending", "ingest", "health"]
    if rpcs.isEmpty || rpcs.values.contains(where: { !$0.isFinite || $0 < 0 }) || rpcs.values.reduce(0, +) <= 0 {
      return "rpcs needs positive weights"
    }
    if let unknown = rpcs.keys.first(where: { !known.contains($0) }) { return "unknown rpc \"\(unknown)\" (recs, trending, ingest, health)" }
    if users.count < 1 || !(0...1).contains(users.coldShare) || users.zipfExponent < 0 { return "users needs count >= 1, coldShare in 0…1, zipfExponent >= 0" }
    if countries.isEmpty { return "countries must not be empty" }
    if !(1...100).contains(limit) { return "limit must be 1…100" }
    if !(1...1000).contains(ingestBatchSize) { return "ingestBatchSize must be 1…1000" }
    if catalogItems < 1 || shapesPerUser < 1 { return "catalogItems and shapesPerUser must be >= 1" }
    return nil
  }
}

/// Draws from 0..<count with probability ∝ 1/(rank+1)^exponent; deterministic for a given
/// random generator.
package struct ZipfSampler: Sendable {
  private let sampler: WeightedSampler

  package init(count: Int, exponent: Double) {
    sampler = WeightedSampler(weights: (0..<max(1, count)).map { 1 / pow(Double($0 + 1), exponent) })
  }

  package func sample(_ unit: Double) -> Int { sampler.sample(unit) }
}
