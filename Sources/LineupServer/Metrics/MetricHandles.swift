import CoreMetrics
import Prometheus
import Synchronization

/// The metric objects of the request path, made once per (name, label values) and kept.
///
/// Why: making a swift-metrics `Counter` or `Timer` asks the factory each time, and
/// `PrometheusMetricsFactory` sanitizes the name and labels (new strings) and takes its
/// registry's lock to find the existing series. A request records eight to a dozen series
/// (latency, source, cache result, one per flag decision, one per Redis pipeline), so that
/// showed in `perf` of a fallback-only run. Here a repeat costs one hash of a few short
/// strings under a `Mutex`. The label names are fixed per metric name, so the key holds
/// only the values; the series themselves stay the registry's (what `/metrics` renders).
final class MetricHandles: Sendable {
  /// A metric name and up to three label values, inline (no array per lookup).
  private struct Key: Hashable {
    var name: String
    var first = ""
    var second = ""
    var third = ""
  }

  private let factory: PrometheusMetricsFactory
  private let counters = Mutex<[Key: CoreMetrics.Counter]>([:])
  private let timers = Mutex<[Key: CoreMetrics.Timer]>([:])
  private let gauges = Mutex<[Key: CoreMetrics.Gauge]>([:])

  init(factory: PrometheusMetricsFactory) {
    self.factory = factory
  }

  /// The counter `name` with these labels (at most three).
  func counter(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
    let key = Self.key(name, dimensions)
    if let counter = counters.withLock({ $0[key] }) { return counter }
    // Made outside the lock (the factory takes its own); a race makes the same series twice,
    // which the registry resolves to one.
    let counter = CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory)
    return counters.withLock { Self.keep(counter, at: key, in: &$0) }
  }

  /// The timer `name` with these labels (at most three).
  func timer(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
    let key = Self.key(name, dimensions)
    if let timer = timers.withLock({ $0[key] }) { return timer }
    let timer = CoreMetrics.Timer(label: name, dimensions: dimensions, factory: factory)
    return timers.withLock { Self.keep(timer, at: key, in: &$0) }
  }

  /// The gauge `name` with these labels (at most three).
  func gauge(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.Gauge {
    let key = Self.key(name, dimensions)
    if let gauge = gauges.withLock({ $0[key] }) { return gauge }
    let gauge = CoreMetrics.Gauge(label: name, dimensions: dimensions, factory: factory)
    return gauges.withLock { Self.keep(gauge, at: key, in: &$0) }
  }

  /// The series already kept under `key` (another caller made it first), else `made`, kept.
  private static func keep<Metric>(_ made: Metric, at key: Key, in kept: inout [Key: Metric]) -> Metric {
    if let existing = kept[key] { return existing }
    kept[key] = made
    return made
  }

  private static func key(_ name: String, _ dimensions: [(String, String)]) -> Key {
    precondition(dimensions.count <= 3, "a request-path metric with more than three labels: \(name)")
    var key = Key(name: name)
    if dimensions.count > 0 { key.first = dimensions[0].1 }
    if dimensions.count > 1 { key.second = dimensions[1].1 }
    if dimensions.count > 2 { key.third = dimensions[2].1 }
    return key
  }
}
