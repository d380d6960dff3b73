import ArgumentParser
import Foundation
import Histogram
import LineupCore
import LineupLoadKit

/// `lineup-loadtest pipeline`: times the ranking pipeline alone (sources, filter, blend,
/// exploration, guardrails) on a seeded synthetic user — by default a 50-item slate from
/// about 500 candidates, the recommendation-pipeline issue's target being under 200 µs —
/// with every call timed into an HdrHistogram. No I/O: the inputs are built beforehand, as
/// the server builds them from its one or two store reads.
struct PipelineBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pipeline",
    abstract: "Time RankingPipeline.rank on a synthetic user (release build)."
  )

  @Option(help: "Slate size.")
  var size = 50

  // 180 model candidates make 502 distinct candidates with the other sources: the issue's
  // "50 from 500" (300 made 607, the figure quoted before 2026-12-02).
  @Option(help: "Model candidates for the user (co-visitation, trending and new creators add the rest; 180 → about 500 in all).")
  var modelCandidates = 180

  @Option(help: "Timed calls after a warm-up of a tenth as many.")
  var iterations = 20_000

  @Option(help: "Target for p99 in microseconds; exit 1 above it.")
  var targetMicros = 200.0

  @Option(help: "Seed for the synthetic catalog and user.")
  var seed: UInt64 = 7

  func run() throws {
    let inputs = Self.syntheticInputs(size: size, modelCandidates: modelCandidates, seed: seed)
    let pipeline = RankingPipeline.standard()
    let probe = pipeline.rank(inputs)
    let proposals = pipeline.proposals(inputs)
    // Two timings, interleaved so machine noise hits both alike: the whole pipeline (the
    // sources' proposals too), and ranking plus guardrails on the proposals already made —
    // the issue's target ("ranking plus guardrails for a 50-item slate from 500 candidates").
    var whole = Histogram<UInt64>(highestTrackableValue: 1_000_000_000, numberOfSignificantValueDigits: .three)
    var ranking = whole
    let clock = ContinuousClock()
    var checksum = 0
    func nanos(_ duration: Duration) -> UInt64 { UInt64(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000) }
    for iteration in 0..<(iterations + iterations / 10) {
      let warm = iteration < iterations / 10
      var started = clock.now
      let slate = pipeline.rank(inputs)
      var elapsed = clock.now - started
      checksum &+= slate.items.count
      if !warm { _ = whole.record(nanos(elapsed)) }
      started = clock.now
      let ranked = pipeline.rank(proposals, inputs: inputs)
      elapsed = clock.now - started
      checksum &+= ranked.items.count
      if !warm { _ = ranking.record(nanos(elapsed)) }
    }
    func micros(_ histogram: Histogram<UInt64>, _ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1_000 }
    func line(_ histogram: Histogram<UInt64>) -> String {
      String(
        format: "p50 %.1f µs  p90 %.1f µs  p99 %.1f µs  max %.1f µs  mean %.1f µs", micros(histogram, 50), micros(histogram, 90), micros(histogram, 99),
        Double(histogram.max) / 1_000, histogram.mean / 1_000)
    }
    let proposed = proposals.reduce(0) { $0 + $1.candidates.count }
    print("ranking pipeline: \(proposed) proposals, \(probe.ranked.count) candidates ranked, slate of \(probe.items.count) (asked \(size)), \(iterations) timed calls each")
    print("ranking + guardrails (filter, blend, exploration, guardrails): " + line(ranking))
    print("whole pipeline (the sources' proposals too):                    " + line(whole))
    print("guardrails: " + probe.guardrails.map { "\($0.name) \($0.satisfied ? "ok" : "short") (\($0.adjustments))" }.joined(separator: ", "))
    let pass = micros(ranking, 99) <= targetMicros
    print("target ranking + guardrails p99 ≤ \(Int(targetMicros)) µs: \(pass ? "PASS" : "MISS")  (checksum \(checksum))")
    if !pass { throw ExitCode(1) }
  }

  /// A catalog of 5,000 items from 800 creators (20% new) over 12 categories, and a user with
  /// `modelCandidates` model candidates, 30 seen items with co-visitation sets, and live
  /// country popularity — 502 distinct candidates for the default sizes.
  static func syntheticInputs(size: Int, modelCandidates: Int, seed: UInt64) -> CandidateInputs {
    var random = SeededRandom(seed: seed)
    func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
    let items = (0..<5_000).map { index in
      let creator = below(800)
      return CatalogItem(
        id: String(format: "it-%05d", index), creatorID: "cr-\(creator)", category: "cat-\(below(12))",
        createdAt: Int64(1_700_000_000 + below(10_000_000)), isNewCreator: creator % 5 == 0)
    }
    let catalog = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
    func entries(_ count: Int) -> [PopularityEntry] {
      (0..<count).map { PopularityEntry(itemID: items[below(items.count)].id, score: 1 - Double($0) / Double(count + 1)) }
    }
    let recent = (0..<30).map { _ in items[below(items.count)].id }
    let country = CountryCode("BR")!
    return CandidateInputs(
      request: RecommendationRequest(userID: "bench", context: RequestContext(country: country), limit: size),
      catalog: catalog,
      model: ModelCandidates(modelVersion: "bench", items: entries(modelCandidates)),
      recentItems: recent,
      coVisits: Dictionary(uniqueKeysWithValues: recent.prefix(3).map { ($0, entries(50)) }),
      liveTrending: entries(200),
      fallback: FallbackData(catalog: catalog, countries: [country: entries(500)], global: entries(500), version: "fallback:bench"),
      newCreatorItems: CatalogHolder(files: catalog).newCreatorItems)
  }
}
