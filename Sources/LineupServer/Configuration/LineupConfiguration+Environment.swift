package import LineupCore
package import Logging

/// Every environment variable lineup-server reads, in one place.
///
/// | variable                  | setting                      | default         |
/// |---------------------------|------------------------------|-----------------|
/// | LINEUP_HOST               | server.host                  | 127.0.0.1       |
/// | LINEUP_PORT               | server.port                  | 50051           |
/// | LINEUP_MAX_REQUEST_BYTES  | server.maxRequestBytes       | 1048576         |
/// | LINEUP_DRAIN_TIMEOUT_SEC  | server.drainTimeout          | 10              |
/// | LINEUP_FALLBACK_DATA      | fallback.directory           | fallback-data   |
/// | LINEUP_METRICS_PORT       | metricsPort (0 disables)     | 9464            |
/// | LINEUP_LOG_LEVEL          | logLevel                     | info            |
extension LineupConfiguration {
  /// Applies the variables present in `environment` on top of `self`.
  /// Throws a message naming the variable when a value does not parse.
  package mutating func apply(environment: [String: String]) throws(ConfigurationError) {
    func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
    if let host = value("LINEUP_HOST") { server.host = host }
    if let port = value("LINEUP_PORT") { server.port = try Self.port(port, key: "LINEUP_PORT") }
    if let bytes = value("LINEUP_MAX_REQUEST_BYTES") {
      server.maxRequestBytes = try Self.positiveInt(bytes, key: "LINEUP_MAX_REQUEST_BYTES")
    }
    if let seconds = value("LINEUP_DRAIN_TIMEOUT_SEC") {
      server.drainTimeout = .seconds(try Self.positiveInt(seconds, key: "LINEUP_DRAIN_TIMEOUT_SEC"))
    }
    if let directory = value("LINEUP_FALLBACK_DATA") { fallback.directory = directory }
    if let port = value("LINEUP_METRICS_PORT") {
      let parsed = try Self.port(port, key: "LINEUP_METRICS_PORT")
      metricsPort = parsed == 0 ? nil : parsed
    }
    if let level = value("LINEUP_LOG_LEVEL") { logLevel = try Self.logLevel(level, key: "LINEUP_LOG_LEVEL") }
  }

  /// A TCP port, 0…65535.
  package static func port(_ text: String, key: String) throws(ConfigurationError) -> Int {
    guard let port = Int(text), (0...65535).contains(port) else {
      throw ConfigurationError("\(key): \"\(text)\" is not a port (0…65535)")
    }
    return port
  }

  /// A whole number > 0.
  package static func positiveInt(_ text: String, key: String) throws(ConfigurationError) -> Int {
    guard let value = Int(text), value > 0 else {
      throw ConfigurationError("\(key): \"\(text)\" is not a whole number > 0")
    }
    return value
  }

  /// trace, debug, info, notice, warning, error or critical.
  package static func logLevel(_ text: String, key: String) throws(ConfigurationError) -> Logger.Level {
    guard let level = Logger.Level(rawValue: text.lowercased()) else {
      let known = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
      throw ConfigurationError("\(key): \"\(text)\" is not a log level (\(known))")
    }
    return level
  }
}

/// A configuration value that does not parse; the message names the key.
package struct ConfigurationError: Error, Sendable, CustomStringConvertible {
  package var description: String
  package init(_ description: String) { self.description = description }
}
