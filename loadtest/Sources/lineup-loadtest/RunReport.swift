import Foundation
import Histogram

/// The outcome of one driven run: latency percentiles (milliseconds), throughput, errors.
struct RunReport: Sendable {
  let rpc: DrivenRPC
  let histogram: Histogram<UInt64>
  let errors: Int
  let elapsedSeconds: Double
  let concurrency: Int

  var count: UInt64 { histogram.totalCount }
  var throughput: Double { Double(count) / elapsedSeconds }
  var p50: Double { percentile(50) }
  var p99: Double { percentile(99) }

  /// The value at `p` percent, in milliseconds.
  func percentile(_ p: Double) -> Double { Double(histogram.valueAtPercentile(p)) / 1000 }

  static func table(_ reports: [RunReport]) -> String {
    // String(format:) does not pad %@ on Linux, so the header is padded by hand to the
    // widths of the row format below.
    let header = zip(
      ["rpc", "requests", "conc", "rps", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors"],
      [-9, 9, 6, 11, 9, 9, 9, 9, 9, 7]
    ).map { title, width in
      let padding = String(repeating: " ", count: max(0, abs(width) - title.count))
      return width < 0 ? title + padding : padding + title
    }
    var lines = [header.joined(separator: " ")]
    for report in reports {
      lines.append(String(
        format: "%@ %9llu %6d %11.0f %9.3f %9.3f %9.3f %9.3f %9.3f %7d",
        report.rpc.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0), report.count, report.concurrency, report.throughput,
        report.p50, report.percentile(90), report.p99, report.percentile(99.9),
        Double(report.histogram.max) / 1000, report.errors
      ))
    }
    return lines.joined(separator: "\n")
  }
}
