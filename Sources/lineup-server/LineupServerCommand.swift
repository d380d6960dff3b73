import ArgumentParser
import CoreMetrics
import Foundation
import LineupServer
import Logging
import NIOCore
import NIOPosix

/// `lineup-server`: flags over environment over defaults (see ConfigurationKey), then run.
@main
struct LineupServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lineup-server",
    abstract: "Serves recommendations, feeds and prices over gRPC.",
    discussion: """
      Every flag has an environment variable: \
      \(ConfigurationKey.allCases.map { "\($0.flag) / \($0.environmentVariable)" }.joined(separator: ", ")). \
      Flags win. SIGTERM or SIGINT drains in-flight RPCs (bounded by --drain-timeout), then exits.
      """
  )

  @Option(help: "Interface to bind (default 127.0.0.1).")
  var host: String?

  @Option(help: "gRPC port; 0 picks a free one (default 50051).")
  var port: String?

  @Option(name: .customLong("metrics-port"), help: "HTTP port for /metrics, /healthz and /readyz; 0 disables (default 9464).")
  var metricsPort: String?

  @Option(name: .customLong("fallback-data"), help: "Fallback data directory (default fallback-data).")
  var fallbackData: String?

  @Option(name: .customLong("max-request-bytes"), help: "Largest request message (default 1048576).")
  var maxRequestBytes: String?

  @Option(name: .customLong("drain-timeout"), help: "Seconds to drain in-flight RPCs on shutdown (default 10).")
  var drainTimeout: String?

  @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical (default info).")
  var logLevel: String?

  @Option(name: .customLong("user-hash-key"), help: "Secret for hashing user ids in logs (default: unkeyed).")
  var userHashKey: String?

  @Option(help: "Redis URL (redis://[user:pass@]host:port/db or unix:///path); default: the embedded in-memory store.")
  var redis: String?

  @Option(name: .customLong("redis-cluster"), help: "Redis Cluster seeds host:port,host:port (replaces --redis).")
  var redisCluster: String?

  @Option(name: .customLong("redis-timeout-ms"), help: "Longest Redis call on the request path, in ms (default 50).")
  var redisTimeoutMs: String?

  @Option(help: "TTL budgets, e.g. recs=300,feed=60,prices=300,features=86400,sessions=1800,jitter=0.1.")
  var ttls: String?

  @Option(name: .customLong("dedupe-window-sec"), help: "How long RecordInteractions remembers event ids (default 3600).")
  var dedupeWindow: String?

  @Option(help: "Where Swift tasks run: default (Swift's pool) or nio (SwiftNIO's event loops; fewer thread hops).")
  var executor: String?

  @Option(help: "Ranking: blend weights and shares, e.g. model=1,co_visitation=0.3,trending=0.02,new_creators=0.01,exploration=0.2,new_creator_floor=0.15,creator_cap=0.15,min_categories=3,co_visitation_seeds=5.")
  var ranking: String?

  @Option(name: .customLong("flags-file"), help: "JSON array of flag defaults in force before and without the shared store (docs/flags.md).")
  var flagsFile: String?
  @Option(name: .customLong("admin-tokens-file"), help: "Admin bearer tokens, one \"SECRET ACTOR admin|read\" per line.")
  var adminTokensFile: String?
  @Option(name: .customLong("admin-token"), help: "One admin bearer token (actor \"admin\"); prefer LINEUP_ADMIN_TOKEN, flags show in ps.")
  var adminToken: String?
  @Option(help: "Circuit breakers, e.g. window=100,min_calls=20,failure_rate=0.02,slow_rate=0.5,slow_ms=100,open_sec=2,trials=5.")
  var breakers: String?
  @Option(name: .customLong("near-cache"), help: "In-process copies of cached recommendations with Redis, e.g. entries=10000,lifetime_ms=2000 (entries=0 disables).")
  var nearCache: String?
  @Option(name: .customLong("rate-limits"), help: "Rate limits, e.g. user_per_min=100,user_burst=100,app_per_sec=0,app_burst=0 (0 disables).")
  var rateLimits: String?
  @Option(name: .customLong("tls-cert"), help: "PEM certificate chain for TLS on the gRPC port (with --tls-key); default plaintext.")
  var tlsCert: String?
  @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.")
  var tlsKey: String?
  @Option(name: .customLong("tls-client-ca"), help: "PEM CA certificates: clients must present a certificate they signed (mutual TLS).")
  var tlsClientCA: String?

  func run() async throws {
    let given: [(ConfigurationKey, String?)] = [
      (.host, host), (.port, port), (.metricsPort, metricsPort), (.fallbackData, fallbackData),
      (.maxRequestBytes, maxRequestBytes), (.drainTimeout, drainTimeout), (.logLevel, logLevel),
      (.userHashKey, userHashKey), (.redisURL, redis), (.redisCluster, redisCluster), (.redisTimeout, redisTimeoutMs), (.nearCache, nearCache),
      (.ttls, ttls), (.dedupeWindow, dedupeWindow), (.executor, executor),
      (.ranking, ranking), (.flagsFile, flagsFile), (.adminTokensFile, adminTokensFile), (.adminToken, adminToken),
      (.breakers, breakers), (.rateLimits, rateLimits), (.tlsCert, tlsCert), (.tlsKey, tlsKey), (.tlsClientCA, tlsClientCA),
    ]
    let config: LineupConfiguration
    do {
      config = try LineupConfiguration.resolve(
        environment: ProcessInfo.processInfo.environment,
        flags: Dictionary(uniqueKeysWithValues: given.compactMap { key, value in value.map { (key, $0) } })
      )
    } catch {
      throw ValidationError(error.description)
    }

    if config.executor == .nio, !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
      throw ValidationError("--executor nio: could not install SwiftNIO's event loops as the global executor")
    }
    let level = config.logLevel
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    // Bootstrapped here only (tests give each server its own): metrics that libraries
    // record through the global system land on the same /metrics page as Lineup's.
    let metrics = LineupMetrics()
    MetricsSystem.bootstrap(metrics.factory)
    try await LineupApplication(configuration: config, logger: Logger(label: "lineup"), metrics: metrics).run()
  }
}
