import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
package import LineupCore
package import LineupRedis
import LineupWire
package import Logging
package import ServiceLifecycle
import UnixSignals

/// The composition root: builds the store, the fallback data, the domain and the gRPC
/// services from a configuration, and runs them in one ServiceGroup that drains on
/// SIGTERM/SIGINT.
package struct LineupApplication: Sendable {
  /// Every gRPC service this server registers, for health reporting.
  static let serviceNames = [
    Lineup_V1_Recommender.descriptor.fullyQualifiedService,
    Lineup_V1_Admin.descriptor.fullyQualifiedService,
    Grpc_Health_V1_Health.descriptor.fullyQualifiedService,
  ]

  package let configuration: LineupConfiguration
  package let logger: Logger
  package let health: HealthStatus
  package let fallback: FallbackDataHolder
  /// The in-memory catalog: fallback-data's items overlaid by ingested ones.
  package let catalog: CatalogHolder
  /// The Redis connection (a pool, or a cluster router) when Redis is configured; a Service
  /// that runs before the gRPC server and stops after it.
  package let redis: (any RedisCommandRunner & Service)?
  /// Everything shared: Redis when configured, else the embedded in-memory store.
  package let store: any LineupStore
  /// Response-cache fills and other writes kept off the request path.
  package let writeBehind: WriteBehindQueue
  /// Flags and circuit breakers, kept in step with the shared store by `ControlSyncService`.
  package let control: ControlPlane
  /// Monotonic seconds, for breakers and rate limits.
  package let monotonic: @Sendable () -> Double
  /// What `/metrics` on the metrics port shows.
  package let metrics: LineupMetrics
  /// Copies of recommendations read from Redis, kept for a moment (`--near-cache`); nil with
  /// the embedded store, whose reads cost no round trip, or when configured off.
  package let nearCache: NearCache<Slate>?

  /// Loads the fallback data (reporting every skipped row) and wires the services.
  ///
  /// - Parameter metrics: where the server records its metrics; `main` passes the one it
  ///   bootstrapped `MetricsSystem` with, tests their own.
  package init(configuration: LineupConfiguration, logger: Logger, metrics: LineupMetrics = LineupMetrics()) {
    self.configuration = configuration
    self.logger = logger
    self.metrics = metrics
    self.health = HealthStatus(services: Self.serviceNames)
    if !configuration.redis.clusterSeeds.isEmpty {
      var clusterConfiguration = RedisClusterClient.Configuration(seeds: configuration.redis.clusterSeeds)
      clusterConfiguration.connectionsPerNode = configuration.redis.connectionsPerNode
      let cluster = RedisClusterClient(configuration: clusterConfiguration, logger: logger)
      self.redis = cluster
      self.store = RedisStore(redis: MeteredRedis(cluster, metrics: metrics))
      logger.info("store: redis cluster", metadata: ["seeds": "\(configuration.redis.clusterSeeds.map(\.description).joined(separator: ","))"])
    } else if let url = configuration.redis.url {
      var clientConfiguration = RedisClient.Configuration(url: url)
      clientConfiguration.connections = configuration.redis.connectionsPerNode
      let client = RedisClient(configuration: clientConfiguration, logger: logger)
      self.redis = client
      self.store = RedisStore(redis: MeteredRedis(client, metrics: metrics))
      logger.info("store: redis", metadata: ["url": "\(url)"])
    } else {
      self.redis = nil
      self.store = InMemoryStore()
      logger.info("store: embedded in-memory")
    }
    let near = configuration.redis.nearCache
    self.nearCache = redis != nil && near.entries > 0 ? NearCache(capacity: near.entries, lifetime: near.lifetime) : nil
    self.writeBehind = WriteBehindQueue()
    let monotonic = RateLimiter.monotonicSeconds()
    self.monotonic = monotonic
    self.control = ControlPlane(defaults: configuration.control.flagDefaults, breakerSettings: configuration.control.breakers, clock: monotonic) {
      transition in
      logger.warning("circuit breaker \(transition.name): \(transition.from.rawValue) → \(transition.to.rawValue)")
      metrics.recordBreakerTransition(transition)
    }
    let data = FallbackDataLoader.load(directory: configuration.fallback.directory)
    for warning in data.warnings {
      logger.warning("fallback data: \(warning)")
    }
    logger.info(
      "fallback data loaded",
      metadata: [
        "directory": "\(configuration.fallback.directory)",
        "items": "\(data.catalog.count)",
        "countries": "\(data.countries.count)",
        "global": "\(data.global.count)",
        "version": "\(data.version)",
        "skipped": "\(data.warnings.count)",
      ]
    )
    self.fallback = FallbackDataHolder(data)
    self.catalog = CatalogHolder(files: data.catalog)
  }

  /// Keeps the catalog mirror current with the store.
  package var catalogSync: CatalogSync {
    var sync = CatalogSync(store: store, holder: catalog, now: { Date().timeIntervalSince1970 })
    sync.newCreatorWindow = Double(configuration.catalog.newCreatorWindowSeconds)
    return sync
  }

  /// The gRPC server service; `onListening` receives the bound port (useful with port 0).
  package func makeServerService(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> GRPCServerService {
    let recommender = Recommender(
      fallback: fallback,
      catalog: catalog,
      store: store,
      codec: ProtobufSlateCodec(),
      writeBehind: writeBehind,
      ttls: configuration.ttls,
      ranking: configuration.ranking,
      control: control,
      nearCache: nearCache,
      now: { Date().timeIntervalSince1970 }
    )
    let ingestion = Ingestion(
      recorder: InteractionRecorder(store: store, settings: configuration.ingestion, catalog: catalog),
      catalogStore: store,
      catalogSync: catalogSync,
      now: { Date().timeIntervalSince1970 }
    )
    var transportConfig = HTTP2ServerTransport.Posix.Config.defaults
    transportConfig.rpc.maxRequestPayloadSize = RequestSizeLimitInterceptor.transportCap(
      forMaxBytes: configuration.server.maxRequestBytes)
    let server = GRPCServer(
      transport: .http2NIOPosix(
        address: .ipv4(host: configuration.server.host, port: configuration.server.port),
        transportSecurity: Self.transportSecurity(configuration.server.tls),
        config: transportConfig
      ),
      services: [
        RecommenderService(
          recommender: recommender,
          prices: PriceQuoter(
            store: store, codec: ProtobufQuoteCodec(), writeBehind: writeBehind, ttls: configuration.ttls, control: control,
            now: { Date().timeIntervalSince1970 }),
          ingestion: ingestion,
          budget: RequestBudgetPolicy(maxStoreWait: configuration.redis.commandTimeout, safetyMargin: configuration.redis.deadlineMargin),
          limits: configuration.limits,
          userHasher: UserIDHasher(key: configuration.userHashKey),
          rateLimits: RequestRateLimits(settings: configuration.control.rateLimits, clock: monotonic),
          writeBreaker: control.breaker(BreakerCatalog.redisWrite),
          metrics: metrics,
          logger: logger
        ),
        AdminService(
          admin: ControlAdmin(plane: control, store: store, now: { Date().timeIntervalSince1970 }), fallback: fallback,
          catalog: catalog, fallbackDirectory: configuration.fallback.directory, users: store, nearCache: nearCache,
          userHasher: UserIDHasher(key: configuration.userHashKey), limits: configuration.limits,
          monotonicNow: monotonic, logger: logger),
        HealthService(status: health),
      ],
      interceptors: [
        MetricsInterceptor(metrics: metrics),
        RequestIDInterceptor(logger: logger),
        RequestSizeLimitInterceptor(maxBytes: configuration.server.maxRequestBytes),
        AdminAuthInterceptor(tokens: configuration.control.adminTokens),
      ]
    )
    return GRPCServerService(server: server, health: health, logger: logger, onListening: onListening)
  }

  /// TLS from the configured PEM files (mutual TLS when a client CA is given), else plaintext.
  /// The files are read when the transport starts listening; one that does not parse stops
  /// the server at start with the TLS library's reason.
  static func transportSecurity(_ tls: LineupConfiguration.TLS?) -> HTTP2ServerTransport.Posix.TransportSecurity {
    guard let tls else { return .plaintext }
    return .tls(
      certificateChain: [.file(path: tls.certificateChainPath, format: .pem)],
      privateKey: .file(path: tls.privateKeyPath, format: .pem)
    ) { config in
      if let clientCA = tls.clientCAPath {
        // The client's certificate must chain to the CA; its name is not checked (clients
        // have no host name to check it against).
        config.clientCertificateVerification = .noHostnameVerification
        config.trustRoots = .certificates([.file(path: clientCA, format: .pem)])
      }
    }
  }

  /// Services the gRPC server depends on, to start before it and stop after it: the Redis
  /// connection, the catalog refresher and the write-behind queue (which flushes after the
  /// server drained). The server starts and answers from fallback whether or not Redis is up.
  package func makeDependencyServices() -> [any Service] {
    var services: [any Service] = redis.map { [$0] } ?? []
    services.append(CatalogRefreshService(sync: catalogSync, interval: configuration.catalog.refreshInterval, logger: logger))
    services.append(WriteBehindService(queue: writeBehind, logger: logger))
    services.append(
      ControlSyncService(
        sync: ControlSync(plane: control, store: store, now: { Date().timeIntervalSince1970 }),
        interval: configuration.control.refreshInterval, announcements: controlAnnouncements, nearCache: nearCache,
        logger: logger))
    return services
  }

  /// A subscriber to the control-change channel on the configured Redis (any cluster seed
  /// will do: every node relays every PUBLISH); nil with the embedded store.
  private var controlAnnouncements: RedisSubscriber? {
    let urls = configuration.redis.clusterSeeds.isEmpty ? configuration.redis.url.map { [$0] } ?? [] : configuration.redis.clusterSeeds
    guard !urls.isEmpty else { return nil }
    return RedisSubscriber(urls: urls, channels: [RedisKeys.controlChanges], logger: logger)
  }

  /// The /metrics, /healthz and /readyz HTTP endpoint on `port` (same interface as gRPC);
  /// `onListening` receives the bound port.
  package func makeProbeService(port: Int, onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> ProbeHTTPService {
    let (metrics, control, nearCache) = (self.metrics, self.control, self.nearCache)
    return ProbeHTTPService(
      host: configuration.server.host, port: port, health: health,
      metrics: {
        metrics.recordControlState(control)
        if let nearCache { metrics.recordNearCache(nearCache.counts) }
        return metrics.exposition()
      }, logger: logger, onListening: onListening)
  }

  /// Runs until SIGTERM/SIGINT (graceful, bounded by the drain timeout) or a service fails.
  package func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
    var services: [any Service] = makeDependencyServices()
    if let metricsPort = configuration.metricsPort {
      services.append(makeProbeService(port: metricsPort))
    }
    services.append(makeServerService(onListening: onListening))
    var groupConfig = ServiceGroupConfiguration(
      services: services,
      gracefulShutdownSignals: [.sigterm, .sigint],
      logger: logger
    )
    groupConfig.maximumGracefulShutdownDuration = configuration.server.drainTimeout
    try await ServiceGroup(configuration: groupConfig).run()
  }
}
