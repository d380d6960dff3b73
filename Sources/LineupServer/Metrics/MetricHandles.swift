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
    Self.kept(name, dimensions, in: counters) { CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory) }
  }

  /// The timer `name` with these labels (at most three).
  func timer(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
    Self.kept(name, dimensions, in: timers) { CoreMetrics.Timer(label: name, dimensions: dimensions, factory: factory) }
  }

  /// The gauge `name` with these labels (at most three).
  func gauge(_ name: String, _ dimensions: [(String, String)]) -> CoreMetrics.Gauge {
    Self.kept(name, dimensions, in: gauges) { CoreMetrics.Gauge(label: name, dimensions: dimensions, factory: factory) }
  }

  /// The series kept under (`name`, label values) in `kept`, made by `make` the first time.
  /// Made outside the lock (the factory takes its own); a race makes the same series twice,
  /// which the registry resolves to one, and the first kept wins.
  private static func kept<Metric: Sendable>(
    _ name: String, _ dimensions: [(String, String)], in kept: borrowing Mutex<[Key: Metric]>, make: () -> Metric
  ) -> Metric {
    let key = key(name, dimensions)
    if let metric = kept.withLock({ $0[key] }) { return metric }
    let made = make()
    return kept.withLock { metrics in
      if let existing = metrics[key] { return existing }
      metrics[key] = made
      return made
    }
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
