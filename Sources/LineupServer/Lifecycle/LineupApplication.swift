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
  /// The pooled Redis client when `configuration.redis.url` is set; a Service that runs
  /// before the gRPC server and stops after it.
  package let redisClient: RedisClient?
  /// Live popularity: Redis when configured, else the embedded in-memory store.
  private let popularity: any PopularityStore

  /// Loads the fallback data (reporting every skipped row) and wires the services.
  package init(configuration: LineupConfiguration, logger: Logger) {
    self.configuration = configuration
    self.logger = logger
    self.health = HealthStatus(services: Self.serviceNames)
    if let url = configuration.redis.url {
      let client = RedisClient(configuration: RedisClient.Configuration(url: url), logger: logger)
      self.redisClient = client
      self.popularity = RedisPopularityStore(client: client, commandTimeout: configuration.redis.commandTimeout)
      logger.info("store: redis", metadata: ["url": "\(url)"])
    } else {
      self.redisClient = nil
      self.popularity = InMemoryStore()
      logger.info("store: embedded in-memory")
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
  }

  /// The gRPC server service; `onListening` receives the bound port (useful with port 0).
  package func makeServerService(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> GRPCServerService {
    let recommender = Recommender(
      fallback: fallback,
      popularity: popularity,
      ttls: configuration.ttls,
      now: { Date().timeIntervalSince1970 }
    )
    var transportConfig = HTTP2ServerTransport.Posix.Config.defaults
    transportConfig.rpc.maxRequestPayloadSize = RequestSizeLimitInterceptor.transportCap(
      forMaxBytes: configuration.server.maxRequestBytes)
    let server = GRPCServer(
      transport: .http2NIOPosix(
        address: .ipv4(host: configuration.server.host, port: configuration.server.port),
        transportSecurity: .plaintext,
        config: transportConfig
      ),
      services: [
        RecommenderService(
          recommender: recommender,
          limits: configuration.limits,
          userHasher: UserIDHasher(key: configuration.userHashKey),
          logger: logger
        ),
        AdminService(),
        HealthService(status: health),
      ],
      interceptors: [
        RequestIDInterceptor(logger: logger),
        RequestSizeLimitInterceptor(maxBytes: configuration.server.maxRequestBytes),
      ]
    )
    return GRPCServerService(server: server, health: health, logger: logger, onListening: onListening)
  }

  /// Services the gRPC server depends on (the Redis pool), to start before it and stop
  /// after it. The server starts and answers from fallback whether or not Redis is up.
  package func makeDependencyServices() -> [any Service] {
    redisClient.map { [$0] } ?? []
  }

  /// The /healthz and /readyz HTTP endpoint on `port` (same interface as gRPC); `onListening`
  /// receives the bound port.
  package func makeProbeService(port: Int, onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> ProbeHTTPService {
    ProbeHTTPService(host: configuration.server.host, port: port, health: health, logger: logger, onListening: onListening)
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
