package import Foundation
import Histogram

/// The summary of one run of one RPC: percentiles in milliseconds, throughput, errors by
/// status, provenance shares and cache-hit rate. Codable for `--json`.
package struct RPCSummary: Sendable, Codable, Equatable {
  package var rpc: String
  package var requests: Int
  package var seconds: Double
  package var throughput: Double
  /// Work units per second (events per second for ingest).
  package var unitsPerSecond: Double
  package var p50: Double
  package var p90: Double
  package var p95: Double
  package var p99: Double
  package var p999: Double
  package var max: Double
  package var errors: Int
  package var errorRate: Double
  package var statuses: [String: Int]
  /// Share of responses per provenance source.
  package var sourceShares: [String: Double]
  /// Share of responses served from the response cache (nil when the RPC has no cache).
  package var cacheHitRate: Double?

  package init(rpc: String, series: LoadRecorder.Series, seconds: Double) {
    let histogram = series.histogram
    let count = Int(histogram.totalCount)
    func ms(_ percentile: Double) -> Double { count == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000 }
    self.rpc = rpc
    self.requests = count
    self.seconds = seconds
    self.throughput = seconds > 0 ? Double(count) / seconds : 0
    self.unitsPerSecond = seconds > 0 ? Double(series.units) / seconds : 0
    self.p50 = ms(50)
    self.p90 = ms(90)
    self.p95 = ms(95)
    self.p99 = ms(99)
    self.p999 = ms(99.9)
    self.max = count == 0 ? 0 : Double(histogram.max) / 1000
    self.statuses = series.statuses
    self.errors = series.statuses.filter { $0.key != "OK" }.values.reduce(0, +)
    self.errorRate = count == 0 ? 0 : Double(errors) / Double(count)
    let sourced = series.sources.values.reduce(0, +)
    self.sourceShares = sourced == 0 ? [:] : series.sources.mapValues { Double($0) / Double(sourced) }
    self.cacheHitRate = sourced == 0 ? nil : Double(series.cacheHits) / Double(sourced)
  }
}

/// A whole run: every RPC's summary, the per-second timeline, the baseline comparison and the
/// budget verdict; printed as a table or written as JSON.
package struct LoadReport: Sendable, Codable {
  package var scenario: String
  package var mode: String
  package var summaries: [RPCSummary]
  package var baseline: RPCSummary?
  package var timeline: [LoadRecorder.Second]
  package var violations: [String]

  package init(scenario: String, mode: String, summaries: [RPCSummary], baseline: RPCSummary? = nil, timeline: [LoadRecorder.Second] = [], violations: [String] = []) {
    self.scenario = scenario
    self.mode = mode
    self.summaries = summaries
    self.baseline = baseline
    self.timeline = timeline
    self.violations = violations
  }

  /// The text table: one row per RPC (and the baseline), then ratios and the verdict.
  package var table: String {
    let header = ["rpc", "requests", "rps", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "sources", "cache hit"]
    var rows: [[String]] = []
    for summary in (baseline.map { [$0] } ?? []) + summaries {
      let sources = summary.sourceShares.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.percent($0.value))" }.joined(separator: " ")
      rows.append([
        summary.rpc, "\(summary.requests)", Self.number(summary.throughput), Self.ms(summary.p50), Self.ms(summary.p90),
        Self.ms(summary.p95), Self.ms(summary.p99), Self.ms(summary.p999), Self.ms(summary.max),
        summary.errors == 0 ? "0" : "\(summary.errors) (\(summary.statuses.filter { $0.key != "OK" }.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")))",
        sources.isEmpty ? "-" : sources, summary.cacheHitRate.map(Self.percent) ?? "-",
      ])
    }
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { column, cell in
        column == 0 || column >= 9 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[column] - cell.count) + cell
      }.joined(separator: "  ")
    }
    var lines = [line(header)] + rows.map(line)
    for summary in summaries where summary.unitsPerSecond != summary.throughput && summary.unitsPerSecond > 0 {
      lines.append("\(summary.rpc): \(Self.number(summary.unitsPerSecond)) units/s")
    }
    if let baseline {
      for summary in summaries {
        lines.append(String(
          format: "%@ ÷ %@: throughput %.2f×, p50 %.2f×, p99 %.2f×", summary.rpc, baseline.rpc,
          summary.throughput / max(baseline.throughput, 1e-9), summary.p50 / max(baseline.p50, 1e-9), summary.p99 / max(baseline.p99, 1e-9)))
      }
    }
    lines.append(violations.isEmpty ? "budgets: PASS" : "budgets: FAIL\n" + violations.map { "  - \($0)" }.joined(separator: "\n"))
    return lines.joined(separator: "\n")
  }

  /// The JSON report.
  package func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try encoder.encode(self)
  }

  package static func ms(_ value: Double) -> String { String(format: "%.3f", value) }
  package static func number(_ value: Double) -> String { String(format: "%.0f", value) }
  package static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
}
