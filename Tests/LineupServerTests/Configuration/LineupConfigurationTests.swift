import LineupServer
import Logging
import Testing

@Suite("Configuration from the environment")
struct LineupConfigurationTests {
  @Test("defaults match the README's configuration table")
  func defaults() {
    let config = LineupConfiguration()
    #expect(config.server.host == "127.0.0.1")
    #expect(config.server.port == 50051)
    #expect(config.metricsPort == 9464)
    #expect(config.fallback.directory == "fallback-data")
    #expect(config.server.maxRequestBytes == 1_048_576)
    #expect(config.server.drainTimeout == .seconds(10))
  }

  @Test("every documented variable is applied")
  func applies() throws {
    var config = LineupConfiguration()
    try config.apply(environment: [
      "LINEUP_HOST": "0.0.0.0", "LINEUP_PORT": "6000", "LINEUP_METRICS_PORT": "0",
      "LINEUP_FALLBACK_DATA": "/data", "LINEUP_MAX_REQUEST_BYTES": "2048", "LINEUP_DRAIN_TIMEOUT_SEC": "3",
      "LINEUP_LOG_LEVEL": "DEBUG",
    ])
    #expect(config.server.host == "0.0.0.0")
    #expect(config.server.port == 6000)
    #expect(config.metricsPort == nil)
    #expect(config.fallback.directory == "/data")
    #expect(config.server.maxRequestBytes == 2048)
    #expect(config.server.drainTimeout == .seconds(3))
    #expect(config.logLevel == .debug)
  }

  @Test("a value that does not parse names its variable", arguments: [
    ("LINEUP_PORT", "http"), ("LINEUP_PORT", "70000"), ("LINEUP_METRICS_PORT", "-1"),
    ("LINEUP_MAX_REQUEST_BYTES", "0"), ("LINEUP_DRAIN_TIMEOUT_SEC", "soon"), ("LINEUP_LOG_LEVEL", "loud"),
  ])
  func rejects(key: String, value: String) {
    var config = LineupConfiguration()
    do {
      try config.apply(environment: [key: value])
      Issue.record("\(key)=\(value) should be rejected")
    } catch {
      #expect(error.description.hasPrefix(key))
    }
  }
}
