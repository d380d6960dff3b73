package import Histogram
import Synchronization

/// How one request ended, as the recorder counts it.
package struct RequestOutcome: Sendable, Equatable {
  /// The RPC's short name ("recs", "ingest", "health" …).
  package var rpc: String
  /// "OK", or the gRPC status code's name ("unavailable", "deadlineExceeded" …).
  package var status: String
  /// The response's provenance source ("MODEL", "CACHE", "FALLBACK"), when it has one.
  package var source: String?
  /// Whether the response came from the response cache.
  package var cacheHit: Bool
  /// Work units the request carried (events in an ingest batch; 1 otherwise).
  package var units: Int

  package init(rpc: String, status: String, source: String? = nil, cacheHit: Bool = false, units: Int = 1) {
    self.rpc = rpc
    self.status = status
    self.source = source
    self.cacheHit = cacheHit
    self.units = units
  }

  package var isError: Bool { status != "OK" }
}

/// Collects latencies (HdrHistogram, microseconds, 3 significant digits) and outcomes per RPC,
/// plus a per-second timeline of all requests (for fault scenarios: errors and fallback share
/// around a Redis kill). Thread-safe; recording is a short critical section.
package final class LoadRecorder: Sendable {
  /// What was recorded for one RPC.
  package struct Series: Sendable {
    package var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    package var statuses: [String: Int] = [:]
    package var sources: [String: Int] = [:]
    package var cacheHits = 0
    package var units = 0
  }

  /// One second of the run.
  package struct Second: Sendable, Equatable, Codable {
    package var second: Int
    package var requests = 0
    package var errors = 0
    package var fallback = 0
    package var model = 0
    package var cache = 0
  }

  private struct State {
    var series: [String: Series] = [:]
    var timeline: [Int: Second] = [:]
  }

  private let state = Mutex(State())
  /// Time zero of the timeline.
  package let start: ContinuousClock.Instant

  package init(start: ContinuousClock.Instant = .now) {
    self.start = start
  }

  /// Records one request that was meant to start at `intended` and completed at `completed`.
  package func record(_ outcome: RequestOutcome, intended: ContinuousClock.Instant, completed: ContinuousClock.Instant) {
    let latency = (completed - intended).wholeMicroseconds
    let second = max(0, Int((completed - start).seconds))
    state.withLock { state in
      var series = state.series[outcome.rpc] ?? Series()
      _ = series.histogram.record(min(latency, series.histogram.highestTrackableValue))
      series.statuses[outcome.status, default: 0] += 1
      if let source = outcome.source { series.sources[source, default: 0] += 1 }
      if outcome.cacheHit { series.cacheHits += 1 }
      if !outcome.isError { series.units += outcome.units }
      state.series[outcome.rpc] = series

      var bucket = state.timeline[second] ?? Second(second: second)
      bucket.requests += 1
      if outcome.isError { bucket.errors += 1 }
      switch outcome.source {
      case "FALLBACK": bucket.fallback += 1
      case "MODEL": bucket.model += 1
      case "CACHE": bucket.cache += 1
      default: break
      }
      state.timeline[second] = bucket
    }
  }

  /// Everything recorded so far, per RPC.
  package var series: [String: Series] { state.withLock { $0.series } }

  /// The per-second timeline, in order.
  package var timeline: [Second] { state.withLock { $0.timeline.values.sorted { $0.second < $1.second } } }

  /// Requests recorded so far (for the progress line).
  package var total: Int { state.withLock { $0.series.values.reduce(0) { $0 + Int($1.histogram.totalCount) } } }
}
