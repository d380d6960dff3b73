import ArgumentParser
import Foundation
import LineupServer
import Logging

/// `lineup-server`: parse flags over environment over defaults, then run.
@main
struct LineupServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lineup-server",
    abstract: "Serves recommendations, feeds and prices over gRPC.",
    discussion: """
      Every flag has an environment variable (LINEUP_HOST, LINEUP_PORT, LINEUP_METRICS_PORT,
      LINEUP_FALLBACK_DATA, LINEUP_MAX_REQUEST_BYTES, LINEUP_DRAIN_TIMEOUT_SEC, LINEUP_LOG_LEVEL);
      flags win. SIGTERM or SIGINT drains in-flight RPCs, then exits.
      """
  )

  @Option(help: "Interface to bind (default 127.0.0.1).")
  var host: String?

  @Option(help: "gRPC port; 0 picks a free one (default 50051).")
  var port: Int?

  @Option(name: .customLong("metrics-port"), help: "Metrics/health HTTP port; 0 disables (default 9464).")
  var metricsPort: Int?

  @Option(name: .customLong("fallback-data"), help: "Fallback data directory (default fallback-data).")
  var fallbackData: String?

  @Option(name: .customLong("max-request-bytes"), help: "Largest request message (default 1048576).")
  var maxRequestBytes: Int?

  @Option(name: .customLong("drain-timeout"), help: "Seconds to drain in-flight RPCs on shutdown (default 10).")
  var drainTimeout: Int?

  @Option(name: .customLong("log-level"), help: "trace|debug|info|notice|warning|error|critical (default info).")
  var logLevel: String?

  func run() async throws {
    var config = LineupConfiguration()
    do {
      try config.apply(environment: ProcessInfo.processInfo.environment)
      if let host { config.server.host = host }
      if let port { config.server.port = try LineupConfiguration.port(String(port), key: "--port") }
      if let metricsPort {
        let parsed = try LineupConfiguration.port(String(metricsPort), key: "--metrics-port")
        config.metricsPort = parsed == 0 ? nil : parsed
      }
      if let fallbackData { config.fallback.directory = fallbackData }
      if let maxRequestBytes {
        config.server.maxRequestBytes = try LineupConfiguration.positiveInt(String(maxRequestBytes), key: "--max-request-bytes")
      }
      if let drainTimeout {
        config.server.drainTimeout = .seconds(try LineupConfiguration.positiveInt(String(drainTimeout), key: "--drain-timeout"))
      }
      if let logLevel { config.logLevel = try LineupConfiguration.logLevel(logLevel, key: "--log-level") }
    } catch {
      throw ValidationError(error.description)
    }

    let level = config.logLevel
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: "lineup")
    try await LineupApplication(configuration: config, logger: logger).run()
  }
}
