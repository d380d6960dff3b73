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
    var histogram = Histogram<UInt64>(highestTrackableValue: 1_000_000_000, numberOfSignificantValueDigits: .three)
    let clock = ContinuousClock()
    var checksum = 0
    for iteration in 0..<(iterations + iterations / 10) {
      let started = clock.now
      let slate = pipeline.rank(inputs)
      let elapsed = clock.now - started
      checksum &+= slate.items.count
      if iteration >= iterations / 10 { _ = histogram.record(UInt64(elapsed.components.attoseconds / 1_000_000_000)) }
    }
    func micros(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1_000 }
    print("ranking pipeline: \(probe.ranked.count) candidates ranked, slate of \(probe.items.count) (asked \(size)), \(iterations) timed calls")
    print(String(format: "p50 %.1f µs  p90 %.1f µs  p99 %.1f µs  max %.1f µs  mean %.1f µs", micros(50), micros(90), micros(99), Double(histogram.max) / 1_000, histogram.mean / 1_000))
    print("guardrails: " + probe.guardrails.map { "\($0.name) \($0.satisfied ? "ok" : "short") (\($0.adjustments))" }.joined(separator: ", "))
    let pass = micros(99) <= targetMicros
    print("target p99 ≤ \(Int(targetMicros)) µs: \(pass ? "PASS" : "MISS")  (checksum \(checksum))")
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
