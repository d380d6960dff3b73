import Foundation
import Testing

@testable import LineupLoadKit

@Suite("Reports, budgets, scenarios, chaos")
struct ReportTests {
  /// 1,000 requests: latencies 1…1000 ms, 10 errors, 900 of 990 answers cached.
  static func recorder() -> LoadRecorder {
    let recorder = LoadRecorder(start: .now)
    let base = recorder.start
    for index in 1...1_000 {
      let failed = index % 100 == 0
      let outcome = RequestOutcome(
        rpc: "recs", status: failed ? "unavailable" : "OK", source: failed ? nil : (index <= 900 ? "CACHE" : "MODEL"),
        cacheHit: !failed && index <= 900)
      recorder.record(outcome, intended: base, completed: base + .milliseconds(index))
    }
    return recorder
  }

  @Test("percentiles, error rate, sources and cache hits are summarized from the recorded outcomes")
  func summary() {
    let summary = RPCSummary(rpc: "recs", series: Self.recorder().series["recs"]!, seconds: 2)
    #expect(summary.requests == 1_000)
    #expect(summary.throughput == 500)
    #expect(abs(summary.p50 - 500) <= 1)
    #expect(abs(summary.p99 - 990) <= 1)
    #expect(abs(summary.max - 1_000) <= 1)
    #expect(summary.errors == 10)
    #expect(summary.errorRate == 0.01)
    #expect(summary.statuses == ["OK": 990, "unavailable": 10])
    #expect(abs(summary.cacheHitRate! - 891.0 / 990.0) < 1e-9)
  }

  @Test("budgets name each broken limit; a run within them has none")
  func budgets() {
    let summary = RPCSummary(rpc: "recs", series: Self.recorder().series["recs"]!, seconds: 2)
    let strict = Budgets(rpcs: ["recs": .init(p95Ms: 200, p99Ms: 300, maxErrorRate: 0.005, minCacheHitRate: 0.95)])
    let broken = strict.violations([summary])
    #expect(broken.count == 4)
    #expect(broken[0].hasPrefix("recs p95"))
    #expect(broken.contains { $0.hasPrefix("recs cache hit") })
    #expect(strict.violations([summary], checkCacheHit: false).count == 3)
    let loose = Budgets(rpcs: ["recs": .init(p95Ms: 2_000, p99Ms: 3_000, maxErrorRate: 0.05, minCacheHitRate: 0.85)])
    #expect(loose.violations([summary]).isEmpty)
  }

  @Test("the shipped budgets and scenarios load and are sound")
  func shippedFiles() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let budgets = try Budgets.load(root.appendingPathComponent("loadtest/budgets.json").path)
    #expect(budgets.rpcs["recs"] == .init(p95Ms: 200, p99Ms: 300, maxErrorRate: 0.005, minCacheHitRate: 0.85))
    #expect(budgets.rpcs["feed"]?.p99Ms == 200)
    #expect(budgets.rpcs["price"]?.p95Ms == 150)
    let folder = root.appendingPathComponent("loadtest/scenarios")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
    #expect(files.count >= 4)
    for file in files { _ = try Scenario.load(folder.appendingPathComponent(file).path) }
  }

  @Test("a bad scenario is refused with the reason")
  func badScenario() {
    var scenario = Scenario(
      name: "x", description: "", rpcs: ["recs": 1], users: .init(count: 10, zipfExponent: 1, coldShare: 0.1), countries: ["BR"],
      limit: 20, ingestBatchSize: 100, catalogItems: 100, shapesPerUser: 1)
    #expect(scenario.problem == nil)
    scenario.rpcs = ["feeds": 1]
    #expect(scenario.problem?.contains("feeds") == true)
    scenario.rpcs = ["recs": 1]
    scenario.limit = 0
    #expect(scenario.problem?.contains("limit") == true)
  }

  @Test("Zipf: rank 0 is drawn most, ranks fall off, every draw is in range")
  func zipf() {
    let sampler = ZipfSampler(count: 1_000, exponent: 1.1)
    var random = SystemRandomNumberGenerator()
    var counts = [Int](repeating: 0, count: 1_000)
    for _ in 0..<20_000 { counts[sampler.sample(Double.random(in: 0..<1, using: &random))] += 1 }
    #expect(counts[0] > counts[1] && counts[1] > counts[9])
    #expect(counts[0] > 20_000 / 20)
    #expect(sampler.sample(0) == 0 && sampler.sample(0.999_999_999) <= 999)
  }

  @Test("chaos plans parse, and a timeline tells time to fallback and to recovery")
  func chaos() throws {
    let plan = try ChaosPlan.parse("redis-kill-at=2s,redis-restart-at=4s")
    #expect(plan == ChaosPlan(redisKillAt: .seconds(2), redisRestartAt: .seconds(4)))
    #expect(throws: LoadTestError.self) { try ChaosPlan.parse("redis-kill-at=5s,redis-restart-at=4s") }
    #expect(throws: LoadTestError.self) { try ChaosPlan.parse("network-split-at=4s") }
    let timeline = [
      LoadRecorder.Second(second: 1, requests: 10, model: 10), LoadRecorder.Second(second: 2, requests: 10, fallback: 8, model: 2),
      LoadRecorder.Second(second: 3, requests: 10, fallback: 10), LoadRecorder.Second(second: 4, requests: 10, fallback: 6, model: 4),
      LoadRecorder.Second(second: 5, requests: 10, model: 10),
    ]
    #expect(plan.assess(timeline) == ChaosAssessment(failedRequests: 0, secondsToFallback: 0, secondsToRecover: 1))
    // A few fallback answers (cold users) do not count as the failover: the majority must be.
    let trickle = [
      LoadRecorder.Second(second: 2, requests: 10, errors: 1, fallback: 1, model: 8),
      LoadRecorder.Second(second: 3, requests: 10, fallback: 9, model: 1), LoadRecorder.Second(second: 4, requests: 10, fallback: 9, model: 1),
      LoadRecorder.Second(second: 5, requests: 10, fallback: 1, model: 9), LoadRecorder.Second(second: 6, requests: 10, model: 10),
    ]
    #expect(plan.assess(trickle) == ChaosAssessment(failedRequests: 1, secondsToFallback: 1, secondsToRecover: 2))
  }

  @Test("the JSON report round-trips and the table names every row")
  func rendering() throws {
    let summary = RPCSummary(rpc: "recs", series: Self.recorder().series["recs"]!, seconds: 2)
    let report = LoadReport(scenario: "s", mode: "open", summaries: [summary], violations: ["recs p99 too high"])
    let decoded = try JSONDecoder().decode(LoadReport.self, from: report.json())
    #expect(decoded.summaries == [summary])
    #expect(report.table.contains("recs"))
    #expect(report.table.contains("budgets: FAIL"))
  }
}
