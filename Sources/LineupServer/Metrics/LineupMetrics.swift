package import CoreMetrics
package import LineupCore
package import Prometheus
import Synchronization

/// Lineup's metrics: every name and label set in one place (docs/metrics.md lists them), made
/// through a swift-metrics factory and exposed as Prometheus text on the metrics port.
///
/// Each server owns its registry, so several servers in one test process do not mix their
/// counts; `lineup-server`'s `main` also bootstraps the global `MetricsSystem` with this
/// factory, so metrics of libraries land on the same page.
package final class LineupMetrics: Sendable {
  /// Where the metrics are kept; `/metrics` renders it.
  package let registry: PrometheusCollectorRegistry
  /// The swift-metrics factory over `registry`, with Lineup's latency buckets.
  package let factory: PrometheusMetricsFactory

  /// Latency buckets for every duration histogram: 100 µs to 1 s, roughly 1-2.5-5 per
  /// decade, so the budgets (recs p95 200 ms, feed 120 ms, price 150 ms) and Lineup's own
  /// sub-millisecond work can both be read off them.
  package static let latencyBuckets: [Duration] = [
    .microseconds(100), .microseconds(250), .microseconds(500),
    .milliseconds(1), .microseconds(2_500), .milliseconds(5),
    .milliseconds(10), .milliseconds(25), .milliseconds(50),
    .milliseconds(100), .milliseconds(250), .milliseconds(500),
    .seconds(1),
  ]

  /// The request path's series, made once each.
  private let handles: MetricHandles
  private let priceFloorClamps: CoreMetrics.Counter
  private let controlFresh: CoreMetrics.Gauge
  private let nearCacheEntries: CoreMetrics.Gauge
  /// The near cache's counts as of the last scrape, so each adds only what is new.
  private let nearCacheCounted = Mutex(NearCacheCounts(hits: 0, misses: 0, entries: 0))

  package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
    self.registry = registry
    var factory = PrometheusMetricsFactory(registry: registry)
    factory.defaultDurationHistogramBuckets = Self.latencyBuckets
    self.factory = factory
    handles = MetricHandles(factory: factory)
    priceFloorClamps = CoreMetrics.Counter(label: Name.priceFloorClamps, factory: factory)
    controlFresh = CoreMetrics.Gauge(label: Name.controlFresh, factory: factory)
    nearCacheEntries = CoreMetrics.Gauge(label: Name.nearCacheEntries, factory: factory)
  }

  /// The metric names, for the code, the docs and the alert rules' test.
  package enum Name {
    package static let rpcDuration = "lineup_rpc_duration_seconds"
    package static let responses = "lineup_responses_total"
    package static let cacheRequests = "lineup_cache_requests_total"
    package static let fallbacks = "lineup_fallback_total"
    package static let flagEvaluations = "lineup_flag_evaluations_total"
    package static let guardrailAdjustments = "lineup_guardrail_adjustments_total"
    package static let guardrailShort = "lineup_guardrail_short_total"
    package static let priceFloorClamps = "lineup_price_floor_clamps_total"
    package static let rateLimited = "lineup_rate_limited_total"
    package static let breakerState = "lineup_breaker_state"
    package static let breakerTransitions = "lineup_breaker_transitions_total"
    package static let redisDuration = "lineup_redis_command_duration_seconds"
    package static let redisErrors = "lineup_redis_errors_total"
    package static let modelVersion = "lineup_model_version_info"
    package static let ingestedEvents = "lineup_ingested_events_total"
    package static let controlFresh = "lineup_control_state_fresh"
    package static let shadowRuns = "lineup_shadow_runs"
    package static let shadowOverlap = "lineup_shadow_mean_overlap"
    package static let shadowExtraSeconds = "lineup_shadow_mean_extra_seconds"
    package static let shadowPriceRatio = "lineup_shadow_mean_price_ratio"
    package static let nearCacheLookups = "lineup_near_cache_lookups_total"
    package static let nearCacheEntries = "lineup_near_cache_entries"
  }

  /// The Prometheus text exposition of everything recorded so far.
  package func exposition() -> [UInt8] {
    registry.emitToBuffer()
  }

  // MARK: - RPCs

  /// One finished RPC: its latency by method and gRPC status (`MetricsInterceptor`).
  package func recordRPC(service: String, method: String, code: String, duration: Duration) {
    handles.timer(Name.rpcDuration, [("service", service), ("method", method), ("code", code)])
      .recordNanoseconds(duration.nanoseconds)
  }

  /// What produced a slate (`rpc` is the RPC's short name, e.g. "GetRecommendations"):
  /// source, cache hit or miss, fallback reason, guardrail adjustments, the flag's decision
  /// and the model version served.
  ///
  /// A cache miss is an answer the pipeline computed for a request that could have been
  /// served from the response cache: MODEL, or the baseline because the user had no
  /// candidates. Fallbacks for a dependency, a flag or a baseline-only RPC never asked the
  /// cache, so they are neither; `cache hit rate = hit / (hit + miss)`.
  package func recordSlate(rpc: String, provenance: Provenance) {
    recordResponse(rpc: rpc, provenance: provenance)
    for report in provenance.guardrails {
      if report.adjustments > 0 {
        handles.counter(Name.guardrailAdjustments, [("guardrail", report.name)])
          .increment(by: report.adjustments)
      }
      if !report.satisfied {
        handles.counter(Name.guardrailShort, [("guardrail", report.name)]).increment()
      }
    }
  }

  /// What produced a price quote, and a never-loss clamp when this request computed one (a
  /// cached quote's clamp was counted when it was computed).
  package func recordQuote(_ quote: PriceQuote) {
    recordResponse(rpc: "GetPrice", provenance: quote.provenance)
    let clamped = quote.reasons.contains { $0.code == .floorClamp || $0.code == .baseBelowFloor }
    if clamped && quote.provenance.source == .model && !quote.provenance.cacheHit { priceFloorClamps.increment() }
  }

  private func recordResponse(rpc: String, provenance: Provenance) {
    let source =
      switch provenance.source {
      case .model: "model"
      case .cache: "cache"
      case .fallback: "fallback"
      }
    handles.counter(Name.responses, [("rpc", rpc), ("source", source)]).increment()
    if provenance.cacheHit {
      handles.counter(Name.cacheRequests, [("rpc", rpc), ("result", "hit")]).increment()
    } else if provenance.source == .model || provenance.fallbackReason == .noCandidates {
      handles.counter(Name.cacheRequests, [("rpc", rpc), ("result", "miss")]).increment()
    }
    if let reason = provenance.fallbackReason {
      handles.counter(Name.fallbacks, [("rpc", rpc), ("reason", Self.label(reason))]).increment()
    }
    for flag in (provenance.flag.map { [$0] } ?? []) + provenance.sourceFlags {
      handles.counter(Name.flagEvaluations, [("flag", flag.flag), ("result", flag.result.rawValue), ("variant", flag.variant)]).increment()
    }
    if provenance.source == .model && !provenance.modelVersion.isEmpty {
      handles.gauge(Name.modelVersion, [("rpc", rpc), ("model_version", provenance.modelVersion)]).record(1)
    }
  }

  /// The snake-case name of a fallback reason, as in the proto enum without its prefix.
  package static func label(_ reason: Provenance.FallbackReason) -> String {
    switch reason {
    case .baselineOnly: "baseline_only"
    case .noCandidates: "no_candidates"
    case .storeUnavailable: "store_unavailable"
    case .breakerOpen: "breaker_open"
    case .deadline: "deadline"
    case .flagOff: "flag_off"
    case .shadow: "shadow"
    }
  }

  /// RecordInteractions' events by result.
  package func recordIngested(accepted: Int, duplicates: Int, rejected: Int) {
    for (result, count) in [("accepted", accepted), ("duplicate", duplicates), ("rejected", rejected)] where count > 0 {
      handles.counter(Name.ingestedEvents, [("result", result)]).increment(by: count)
    }
  }

  /// A request refused by a rate limit (`scope`: "user" or "app").
  package func recordRateLimited(scope: String) {
    handles.counter(Name.rateLimited, [("scope", scope)]).increment()
  }

  // MARK: - Breakers

  /// A breaker changed state.
  package func recordBreakerTransition(_ transition: BreakerTransition) {
    CoreMetrics.Counter(
      label: Name.breakerTransitions,
      dimensions: [("breaker", transition.name), ("from", transition.from.rawValue), ("to", transition.to.rawValue)], factory: factory
    ).increment()
  }

  /// The control plane as it is now, set before every scrape so the page shows the moment
  /// it was read (operator overrides included):
  /// - each breaker's state gauge, 1 for its current state and 0 for the others, so
  ///   `lineup_breaker_state{state="open"} == 1` selects the open ones;
  /// - whether the shared control state was read last time (0: this replica serves its last
  ///   known flags and overrides);
  /// - per flag, the shadow comparisons so far: runs (a counter Prometheus sees as a gauge,
  ///   being set rather than added to), their mean overlap with the served answer, mean extra
  ///   latency and, for pricing, the mean personalized ÷ served price.
  package func recordControlState(_ plane: ControlPlane) {
    for breaker in plane.breakers.values {
      let snapshot = breaker.snapshot
      for state in BreakerState.allCases {
        CoreMetrics.Gauge(label: Name.breakerState, dimensions: [("breaker", snapshot.name), ("state", state.rawValue)], factory: factory)
          .record(snapshot.state == state ? 1 : 0)
      }
    }
    controlFresh.record(plane.isFresh ? 1 : 0)
    for (flag, stats) in plane.shadow {
      let dimensions = [("flag", flag)]
      CoreMetrics.Gauge(label: Name.shadowRuns, dimensions: dimensions, factory: factory).record(stats.runs)
      CoreMetrics.Gauge(label: Name.shadowOverlap, dimensions: dimensions, factory: factory).record(stats.meanOverlap)
      CoreMetrics.Gauge(label: Name.shadowExtraSeconds, dimensions: dimensions, factory: factory).record(stats.meanExtraSeconds)
      if let ratio = stats.meanPriceRatio {
        CoreMetrics.Gauge(label: Name.shadowPriceRatio, dimensions: dimensions, factory: factory).record(ratio)
      }
    }
  }

  /// The near cache at a scrape: its lookups since the last one, by result, and the entries
  /// it holds (expired ones included until their slot is reused).
  package func recordNearCache(_ counts: NearCacheCounts) {
    let (hits, misses) = nearCacheCounted.withLock { counted in
      // Only forward: two scrapes racing must not count the same lookups twice.
      let added = (max(0, counts.hits - counted.hits), max(0, counts.misses - counted.misses))
      counted.hits = max(counted.hits, counts.hits)
      counted.misses = max(counted.misses, counts.misses)
      return added
    }
    handles.counter(Name.nearCacheLookups, [("result", "hit")]).increment(by: hits)
    handles.counter(Name.nearCacheLookups, [("result", "miss")]).increment(by: misses)
    nearCacheEntries.record(counts.entries)
  }

  // MARK: - Redis

  /// One Redis command or pipeline (`command` is the command's name, or "PIPELINE") and, when
  /// it failed, why (`RedisError.Code`, or "reply" for an error reply inside a pipeline).
  package func recordRedis(command: String, duration: Duration, errorCode: String?) {
    handles.timer(Name.redisDuration, [("command", command)]).recordNanoseconds(duration.nanoseconds)
    if let errorCode {
      handles.counter(Name.redisErrors, [("command", command), ("code", errorCode)]).increment()
    }
  }
}

extension Duration {
  /// Whole nanoseconds, saturating (a metric needs no more).
  var nanoseconds: Int64 {
    let (seconds, attoseconds) = components
    let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    return overflow ? .max : product &+ attoseconds / 1_000_000_000
  }
}
