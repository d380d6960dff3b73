import LineupCore
import LineupServer
import Testing

/// `LineupMetrics` keeps the request path's series (`MetricHandles`): a repeat with the same
/// labels adds to the same series, other labels make their own, and all of them reach the
/// Prometheus page.
@Suite("metrics: series kept per name and label values")
struct LineupMetricsSeriesTests {
  /// The page's lines for `name` whose labels contain every one of `labels`.
  private static func lines(_ page: String, _ name: String, _ labels: [String]) -> [Substring] {
    page.split(separator: "\n").filter { line in line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) } }
  }

  @Test("the same labels count together, other labels apart, across timers, counters and per-command Redis timings")
  func series() {
    let metrics = LineupMetrics()
    for _ in 0..<3 { metrics.recordRPC(service: "lineup.v1.Recommender", method: "GetRecommendations", code: "OK", duration: .microseconds(300)) }
    metrics.recordRPC(service: "lineup.v1.Recommender", method: "GetRecommendations", code: "INVALID_ARGUMENT", duration: .microseconds(40))
    metrics.recordRedis(command: "GET", duration: .microseconds(90), errorCode: nil)
    metrics.recordRedis(command: "GET", duration: .microseconds(95), errorCode: "timeout")
    metrics.recordRedis(command: "PIPELINE", duration: .microseconds(120), errorCode: nil)
    metrics.recordRateLimited(scope: "user")
    metrics.recordRateLimited(scope: "user")
    metrics.recordRateLimited(scope: "app")
    let page = String(decoding: metrics.exposition(), as: UTF8.self)

    let ok = Self.lines(page, LineupMetrics.Name.rpcDuration + "_count", [#"method="GetRecommendations""#, #"code="OK""#])
    #expect(ok.count == 1 && ok.first?.hasSuffix(" 3") == true, "\(ok)")
    let invalid = Self.lines(page, LineupMetrics.Name.rpcDuration + "_count", [#"code="INVALID_ARGUMENT""#])
    #expect(invalid.count == 1 && invalid.first?.hasSuffix(" 1") == true, "\(invalid)")
    let get = Self.lines(page, LineupMetrics.Name.redisDuration + "_count", [#"command="GET""#])
    #expect(get.count == 1 && get.first?.hasSuffix(" 2") == true, "\(get)")
    #expect(Self.lines(page, LineupMetrics.Name.redisDuration + "_count", [#"command="PIPELINE""#]).first?.hasSuffix(" 1") == true)
    #expect(Self.lines(page, LineupMetrics.Name.redisErrors, [#"command="GET""#, #"code="timeout""#]).first?.hasSuffix(" 1") == true)
    #expect(Self.lines(page, LineupMetrics.Name.rateLimited, [#"scope="user""#]).first?.hasSuffix(" 2") == true)
    #expect(Self.lines(page, LineupMetrics.Name.rateLimited, [#"scope="app""#]).first?.hasSuffix(" 1") == true)
  }

  @Test("the near cache's counts reach the page once each however often it is scraped; entries are a gauge")
  func nearCache() {
    let metrics = LineupMetrics()
    metrics.recordNearCache(NearCacheCounts(hits: 5, misses: 2, entries: 7))
    metrics.recordNearCache(NearCacheCounts(hits: 5, misses: 2, entries: 7))
    // A scrape that read the counts before the previous one finished must not subtract.
    metrics.recordNearCache(NearCacheCounts(hits: 4, misses: 2, entries: 6))
    metrics.recordNearCache(NearCacheCounts(hits: 9, misses: 3, entries: 4))
    let page = String(decoding: metrics.exposition(), as: UTF8.self)
    #expect(Self.lines(page, LineupMetrics.Name.nearCacheLookups, [#"result="hit""#]).first?.hasSuffix(" 9") == true, "\(page)")
    #expect(Self.lines(page, LineupMetrics.Name.nearCacheLookups, [#"result="miss""#]).first?.hasSuffix(" 3") == true)
    let entries = page.split(separator: "\n").first { $0.hasPrefix(LineupMetrics.Name.nearCacheEntries + " ") }
    #expect(entries.flatMap { Double($0.split(separator: " ")[1]) } == 4, "\(page)")
  }

  @Test("series of two servers in one process stay apart")
  func twoRegistries() {
    let (first, second) = (LineupMetrics(), LineupMetrics())
    first.recordRateLimited(scope: "user")
    first.recordRateLimited(scope: "user")
    second.recordRateLimited(scope: "user")
    let firstPage = String(decoding: first.exposition(), as: UTF8.self)
    let secondPage = String(decoding: second.exposition(), as: UTF8.self)
    #expect(Self.lines(firstPage, LineupMetrics.Name.rateLimited, [#"scope="user""#]).first?.hasSuffix(" 2") == true)
    #expect(Self.lines(secondPage, LineupMetrics.Name.rateLimited, [#"scope="user""#]).first?.hasSuffix(" 1") == true)
  }
}
