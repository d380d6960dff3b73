import Foundation
import LineupCore
package import LineupServer
package import Logging

/// Runs a real lineup-server (real HTTP/2 socket, free loopback port) inside the test
/// process for the duration of `body`, then drains it gracefully.
package enum RunningLineup {
  /// A configuration for tests: port 0 (a free port), the repository's fallback-data, no
  /// metrics port, quiet logs, a 2 s Redis command budget.
  package static func testConfiguration() -> LineupConfiguration {
    var config = LineupConfiguration()
    config.server.port = 0
    config.server.drainTimeout = .seconds(5)
    config.fallback.directory = Fixtures.fallbackDataDirectory
    config.metricsPort = nil
    config.logLevel = .warning
    // Behaviour, not speed, is under test: a loaded CI machine must not turn a Redis answer
    // into a fallback. Tests of the budget itself set their own.
    config.redis.commandTimeout = .seconds(2)
    // Suites send many requests as one user; the rate-limit tests set their own.
    config.control.rateLimits.perUserPerMinute = 0
    // Suites count the Redis reads of each request and stop Redis under a warm user; the
    // near cache's own tests turn it on.
    config.redis.nearCache.entries = 0
    return config
  }

  /// Starts the server, hands `body` the bound port and the application, then shuts down.
  /// `logger` defaults to stderr at the configuration's level.
  package static func with<T: Sendable>(
    configuration: LineupConfiguration = testConfiguration(),
    logger: Logger? = nil,
    _ body: @Sendable (_ port: Int, _ application: LineupApplication) async throws -> T
  ) async throws -> T {
    let logger = logger ?? {
      var logger = Logger(label: "lineup-test")
      logger.logLevel = configuration.logLevel
      return logger
    }()
    let application = LineupApplication(configuration: configuration, logger: logger)
    return try await ListeningServiceHarness.with(
      logger: logger,
      dependencies: application.makeDependencyServices(),
      service: { application.makeServerService(onListening: $0) }
    ) { port, _ in
      try await body(port, application)
    }
  }
}

/// A failure in a test helper, with a message saying what went wrong.
package struct TestingError: Error, CustomStringConvertible {
  package var description: String
  package init(_ description: String) { self.description = description }
}
