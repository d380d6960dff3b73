import Foundation
package import Logging
import LineupCore
import LineupRedis

/// Every setting lineup-server takes from outside, in one place: its environment variable,
/// its command-line flag, and how its text is parsed. Precedence: defaults < environment <
/// flags.
///
/// | flag                  | environment               | setting                  | default       |
/// |-----------------------|---------------------------|--------------------------|---------------|
/// | --host                | LINEUP_HOST               | server.host              | 127.0.0.1     |
/// | --port                | LINEUP_PORT               | server.port              | 50051         |
/// | --metrics-port        | LINEUP_METRICS_PORT       | metricsPort (0 disables) | 9464          |
/// | --fallback-data       | LINEUP_FALLBACK_DATA      | fallback.directory       | fallback-data |
/// | --max-request-bytes   | LINEUP_MAX_REQUEST_BYTES  | server.maxRequestBytes   | 1048576       |
/// | --drain-timeout       | LINEUP_DRAIN_TIMEOUT_SEC  | server.drainTimeout      | 10            |
/// | --log-level           | LINEUP_LOG_LEVEL          | logLevel                 | info          |
/// | --user-hash-key       | LINEUP_USER_HASH_KEY      | userHashKey              | "" (unkeyed)  |
/// | --redis               | LINEUP_REDIS_URL          | redis.url                | none (embedded)|
/// | --redis-cluster       | LINEUP_REDIS_CLUSTER      | redis.clusterSeeds       | none           |
/// | --redis-timeout-ms    | LINEUP_REDIS_TIMEOUT_MS   | redis.commandTimeout     | 50             |
/// | --near-cache          | LINEUP_NEAR_CACHE         | redis.nearCache          | entries=10000,lifetime_ms=2000 (entries=0 disables) |
/// | --dedupe-window-sec   | LINEUP_DEDUPE_WINDOW_SEC  | ingestion.dedupeTTL      | 3600           |
/// | --executor            | LINEUP_EXECUTOR           | executor                 | default        |
/// | --ttls                | LINEUP_TTLS               | ttls                     | recs=300,trending=300,feed=60,prices=300,features=86400,sessions=1800,jitter=0.1 |
/// | --flags-file          | LINEUP_FLAGS_FILE         | control.flagDefaults     | every capability on (docs/flags.md) |
/// | --admin-tokens-file   | LINEUP_ADMIN_TOKENS_FILE  | control.adminTokens      | none (admin refused) |
/// | --admin-token         | LINEUP_ADMIN_TOKEN        | control.adminTokens (+1 admin, actor "admin") | none |
/// | --breakers            | LINEUP_BREAKERS           | control.breakers         | window=100,min_calls=20,failure_rate=0.02,slow_rate=0.5,slow_ms=100,open_sec=2,trials=5 |
/// | --rate-limits         | LINEUP_RATE_LIMITS        | control.rateLimits       | user_per_min=100,app_per_sec=0 (0 disables) |
/// | --tls-cert            | LINEUP_TLS_CERT           | server.tls (with --tls-key) | none (plaintext) |
/// | --tls-key             | LINEUP_TLS_KEY            | server.tls               | none           |
/// | --tls-client-ca       | LINEUP_TLS_CLIENT_CA      | server.tls.clientCAPath (mutual TLS) | none |
/// | --ranking             | LINEUP_RANKING            | ranking                  | model=1,co_visitation=0.3,trending=0.02,new_creators=0.01,exploration=0.2,new_creator_floor=0.15,creator_cap=0.15,min_categories=3,co_visitation_seeds=5 |
package enum ConfigurationKey: String, CaseIterable, Sendable {
  case host = "LINEUP_HOST"
  case port = "LINEUP_PORT"
  case metricsPort = "LINEUP_METRICS_PORT"
  case fallbackData = "LINEUP_FALLBACK_DATA"
  case maxRequestBytes = "LINEUP_MAX_REQUEST_BYTES"
  case drainTimeout = "LINEUP_DRAIN_TIMEOUT_SEC"
  case logLevel = "LINEUP_LOG_LEVEL"
  case userHashKey = "LINEUP_USER_HASH_KEY"
  case redisURL = "LINEUP_REDIS_URL"
  case redisCluster = "LINEUP_REDIS_CLUSTER"
  case redisTimeout = "LINEUP_REDIS_TIMEOUT_MS"
  case nearCache = "LINEUP_NEAR_CACHE"
  case ttls = "LINEUP_TTLS"
  case dedupeWindow = "LINEUP_DEDUPE_WINDOW_SEC"
  case executor = "LINEUP_EXECUTOR"
  case ranking = "LINEUP_RANKING"
  case flagsFile = "LINEUP_FLAGS_FILE"
  case adminTokensFile = "LINEUP_ADMIN_TOKENS_FILE"
  case adminToken = "LINEUP_ADMIN_TOKEN"
  case breakers = "LINEUP_BREAKERS"
  case rateLimits = "LINEUP_RATE_LIMITS"
  case tlsCert = "LINEUP_TLS_CERT"
  case tlsKey = "LINEUP_TLS_KEY"
  case tlsClientCA = "LINEUP_TLS_CLIENT_CA"

  /// The environment variable.
  package var environmentVariable: String { rawValue }

  /// The command-line flag.
  package var flag: String {
    switch self {
    case .host: "--host"
    case .port: "--port"
    case .metricsPort: "--metrics-port"
    case .fallbackData: "--fallback-data"
    case .maxRequestBytes: "--max-request-bytes"
    case .drainTimeout: "--drain-timeout"
    case .logLevel: "--log-level"
    case .userHashKey: "--user-hash-key"
    case .redisURL: "--redis"
    case .redisCluster: "--redis-cluster"
    case .redisTimeout: "--redis-timeout-ms"
    case .nearCache: "--near-cache"
    case .ttls: "--ttls"
    case .dedupeWindow: "--dedupe-window-sec"
    case .executor: "--executor"
    case .ranking: "--ranking"
    case .flagsFile: "--flags-file"
    case .adminTokensFile: "--admin-tokens-file"
    case .adminToken: "--admin-token"
    case .breakers: "--breakers"
    case .rateLimits: "--rate-limits"
    case .tlsCert: "--tls-cert"
    case .tlsKey: "--tls-key"
    case .tlsClientCA: "--tls-client-ca"
    }
  }
}

extension LineupConfiguration {
  /// Defaults, then the variables present in `environment`, then `flags`. Throws a message
  /// naming the flag or variable whose value does not parse.
  package static func resolve(
    environment: [String: String],
    flags: [ConfigurationKey: String] = [:]
  ) throws(ConfigurationError) -> LineupConfiguration {
    var config = LineupConfiguration()
    for key in ConfigurationKey.allCases {
      if let value = environment[key.environmentVariable], !value.isEmpty {
        try config.apply(key, value, source: key.environmentVariable)
      }
    }
    for key in ConfigurationKey.allCases {
      if let value = flags[key] { try config.apply(key, value, source: key.flag) }
    }
    config.server.tls = try Self.tls(environment: environment, flags: flags)
    return config
  }

  /// TLS from its files, each from its flag or else its variable: a certificate and a key
  /// together or neither, a client CA only with them, and every file readable now (so a typo
  /// fails at start, naming the flag, rather than at the first handshake).
  private static func tls(environment: [String: String], flags: [ConfigurationKey: String]) throws(ConfigurationError) -> TLS? {
    var files: [ConfigurationKey: (path: String, source: String)] = [:]
    for key in [ConfigurationKey.tlsCert, .tlsKey, .tlsClientCA] {
      if let path = flags[key] {
        files[key] = (path, key.flag)
      } else if let path = environment[key.environmentVariable], !path.isEmpty {
        files[key] = (path, key.environmentVariable)
      }
    }
    for (path, source) in files.values { _ = try fileContents(path, source: source) }
    switch (files[.tlsCert], files[.tlsKey]) {
    case (nil, nil):
      if let ca = files[.tlsClientCA] {
        throw ConfigurationError("\(ca.source): client certificates need TLS: give --tls-cert and --tls-key too")
      }
      return nil
    case (let cert?, nil):
      throw ConfigurationError("\(cert.source) needs a private key: give --tls-key (or LINEUP_TLS_KEY) too")
    case (nil, let key?):
      throw ConfigurationError("\(key.source) needs a certificate: give --tls-cert (or LINEUP_TLS_CERT) too")
    case (let cert?, let key?):
      return TLS(certificateChainPath: cert.path, privateKeyPath: key.path, clientCAPath: files[.tlsClientCA]?.path)
    }
  }

  /// Sets one setting from its text; `source` names where the text came from, for errors.
  package mutating func apply(_ key: ConfigurationKey, _ value: String, source: String) throws(ConfigurationError) {
    switch key {
    case .host: server.host = value
    case .port: server.port = try Self.port(value, source: source)
    case .metricsPort:
      let port = try Self.port(value, source: source)
      metricsPort = port == 0 ? nil : port
    case .fallbackData: fallback.directory = value
    case .maxRequestBytes: server.maxRequestBytes = try Self.positiveInt(value, source: source)
    case .drainTimeout: server.drainTimeout = .seconds(try Self.positiveInt(value, source: source))
    case .logLevel:
      guard let level = Logger.Level(rawValue: value.lowercased()) else {
        let known = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
        throw ConfigurationError("\(source): \"\(value)\" is not a log level (\(known))")
      }
      logLevel = level
    case .userHashKey: userHashKey = value
    case .redisURL:
      do {
        redis.url = try RedisURL(value)
      } catch {
        throw ConfigurationError("\(source): \(error.message)")
      }
    case .redisCluster:
      redis.clusterSeeds = try Self.clusterSeeds(value, source: source)
    case .redisTimeout:
      redis.commandTimeout = .milliseconds(try Self.positiveInt(value, source: source))
    case .nearCache:
      redis.nearCache = try Self.nearCacheSettings(value, base: redis.nearCache, source: source)
    case .ttls:
      ttls = try Self.ttlBudgets(value, base: ttls, source: source)
    case .dedupeWindow:
      ingestion.dedupeTTL = try Self.positiveInt(value, source: source)
    case .executor:
      guard let choice = Executor(rawValue: value.lowercased()) else {
        throw ConfigurationError("\(source): \"\(value)\" is not an executor (default, nio)")
      }
      executor = choice
    case .ranking:
      ranking = try Self.rankingSettings(value, base: ranking, source: source)
    case .flagsFile:
      let data = try Self.fileContents(value, source: source)
      do {
        control.flagDefaults = try FlagCatalog.parseDefaults(data)
      } catch {
        throw ConfigurationError("\(source) \(value): \(error.message)")
      }
    case .adminTokensFile:
      let data = try Self.fileContents(value, source: source)
      let parsed = try AdminToken.parseFile(String(decoding: data, as: UTF8.self), source: value)
      control.adminTokens = control.adminTokens.filter { $0.origin != .tokensFile } + parsed
    case .adminToken:
      guard value.utf8.count >= 16 else { throw ConfigurationError("\(source): the token must be at least 16 bytes") }
      control.adminTokens = control.adminTokens.filter { $0.origin != .singleToken }
        + [AdminToken(secret: value, actor: "admin", canWrite: true, origin: .singleToken)]
    case .breakers:
      control.breakers = try Self.breakerSettings(value, base: control.breakers, source: source)
    case .rateLimits:
      control.rateLimits = try Self.rateLimitSettings(value, base: control.rateLimits, source: source)
    case .tlsCert, .tlsKey, .tlsClientCA:
      // Resolved together in `resolve`, once every source is known: one file alone means nothing.
      break
    }
  }

  /// `host:port,host:port` (or full redis:// URLs, for credentials) → seed URLs.
  private static func clusterSeeds(_ text: String, source: String) throws(ConfigurationError) -> [RedisURL] {
    var seeds: [RedisURL] = []
    for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
      do {
        seeds.append(try RedisURL(part.contains("://") ? part : "redis://\(part)"))
      } catch {
        throw ConfigurationError("\(source): \"\(part)\": \(error.message)")
      }
    }
    guard !seeds.isEmpty else { throw ConfigurationError("\(source): expected host:port[,host:port…]") }
    return seeds
  }

  /// `name=seconds,…` over `base`; names: recs, trending, feed, prices, features, sessions,
  /// and jitter (a fraction in 0…0.5).
  private static func ttlBudgets(_ text: String, base: TTLBudgets, source: String) throws(ConfigurationError) -> TTLBudgets {
    var ttls = base
    for pair in try namedValues(text, source: source) {
      if pair[0] == "jitter" {
        guard let fraction = Double(pair[1]), (0...0.5).contains(fraction) else {
          throw ConfigurationError("\(source): jitter \"\(pair[1])\" is not a fraction in 0…0.5")
        }
        ttls.jitter = fraction
        continue
      }
      guard let seconds = Int(pair[1]), seconds > 0 else {
        throw ConfigurationError("\(source): \(pair[0]) \"\(pair[1])\" is not a whole number of seconds > 0")
      }
      switch pair[0] {
      case "recs": ttls.recommendations = seconds
      case "trending": ttls.trending = seconds
      case "feed": ttls.feed = seconds
      case "prices": ttls.prices = seconds
      case "features": ttls.userFeatures = seconds
      case "sessions": ttls.feedSession = seconds
      default:
        throw ConfigurationError("\(source): unknown TTL \"\(pair[0])\" (recs, trending, feed, prices, features, sessions, jitter)")
      }
    }
    return ttls
  }

  /// `name=value,…` over `base`: blend weights per candidate source (model, co_visitation,
  /// trending, new_creators; ≥ 0, 0 turns a source off), and shares in 0…1 (exploration,
  /// new_creator_floor, creator_cap) and min_categories (a whole number ≥ 1).
  private static func rankingSettings(_ text: String, base: RankingSettings, source: String) throws(ConfigurationError) -> RankingSettings {
    var settings = base
    for pair in try namedValues(text, source: source) {
      guard let number = Double(pair[1]), number.isFinite, number >= 0 else {
        throw ConfigurationError("\(source): \(pair[0]) \"\(pair[1])\" is not a number ≥ 0")
      }
      func share() throws(ConfigurationError) -> Int {
        guard number <= 1 else { throw ConfigurationError("\(source): \(pair[0]) \"\(pair[1])\" is not a share in 0…1") }
        return Int((number * 10_000).rounded())
      }
      switch pair[0] {
      case "model": settings.weights[.model] = number
      case "co_visitation": settings.weights[.coVisitation] = number
      case "trending": settings.weights[.trending] = number
      case "new_creators": settings.weights[.newCreators] = number
      case "exploration": settings.explorationShareBps = try share()
      case "new_creator_floor": settings.guardrails.newCreatorFloorBps = try share()
      case "creator_cap": settings.guardrails.creatorCapBps = try share()
      case "min_categories":
        guard number >= 1, number == number.rounded() else {
          throw ConfigurationError("\(source): min_categories \"\(pair[1])\" is not a whole number ≥ 1")
        }
        settings.guardrails.minCategories = Int(number)
      case "co_visitation_seeds":
        guard number >= 1, number <= 20, number == number.rounded() else {
          throw ConfigurationError("\(source): co_visitation_seeds \"\(pair[1])\" is not a whole number in 1…20")
        }
        settings.coVisitationSeeds = Int(number)
      default:
        throw ConfigurationError(
          "\(source): unknown ranking setting \"\(pair[0])\" (model, co_visitation, trending, new_creators, exploration, new_creator_floor, creator_cap, min_categories, co_visitation_seeds)")
      }
    }
    return settings
  }

  private static func fileContents(_ path: String, source: String) throws(ConfigurationError) -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigurationError("\(source): cannot read \(path)")
    }
    return data
  }

  /// `name=value,…` over `base`: window, min_calls, trials (whole numbers), failure_rate and
  /// slow_rate (0…1), slow_ms and open_sec.
  private static func breakerSettings(_ text: String, base: BreakerSettings, source: String) throws(ConfigurationError) -> BreakerSettings {
    var settings = base
    for pair in try namedValues(text, source: source) {
      guard let number = Double(pair[1]), number.isFinite, number >= 0 else {
        throw ConfigurationError("\(source): \(pair[0]) \"\(pair[1])\" is not a number ≥ 0")
      }
      switch pair[0] {
      case "window": settings.windowSize = Int(number)
      case "min_calls": settings.minimumCalls = Int(number)
      case "trials": settings.halfOpenTrialCalls = Int(number)
      case "failure_rate": settings.failureRateThreshold = number
      case "slow_rate": settings.slowCallRateThreshold = number
      case "slow_ms": settings.slowCallSeconds = number / 1_000
      case "open_sec": settings.openSeconds = number
      default:
        throw ConfigurationError(
          "\(source): unknown breaker setting \"\(pair[0])\" (window, min_calls, failure_rate, slow_rate, slow_ms, open_sec, trials)")
      }
    }
    if let problem = settings.problem { throw ConfigurationError("\(source): \(problem)") }
    return settings
  }

  /// `name=value,…` over `base`: user_per_min, user_burst, app_per_sec, app_burst (whole
  /// numbers; a rate of 0 disables that limit).
  private static func rateLimitSettings(_ text: String, base: RateLimitSettings, source: String) throws(ConfigurationError) -> RateLimitSettings {
    var settings = base
    for pair in try namedValues(text, source: source) {
      guard let number = Int(pair[1]), number >= 0 else {
        throw ConfigurationError("\(source): \(pair[0]) \"\(pair[1])\" is not a whole number ≥ 0")
      }
      switch pair[0] {
      case "user_per_min": settings.perUserPerMinute = number
      case "user_burst": settings.userBurst = number
      case "app_per_sec": settings.perAppPerSecond = number
      case "app_burst": settings.appBurst = number
      default:
        throw ConfigurationError("\(source): unknown rate limit \"\(pair[0])\" (user_per_min, user_burst, app_per_sec, app_burst)")
      }
    }
    if let problem = settings.problem { throw ConfigurationError("\(source): \(problem)") }
    return settings
  }

  /// `name=value,…` over `base`: entries (0 disables, at most 1,000,000), lifetime_ms (1 to
  /// 10,000: see `LineupConfiguration.NearCache`).
  private static func nearCacheSettings(
    _ text: String, base: LineupConfiguration.NearCache, source: String
  ) throws(ConfigurationError) -> LineupConfiguration.NearCache {
    var settings = base
    for pair in try namedValues(text, source: source) {
      switch pair[0] {
      case "entries":
        let most = LineupConfiguration.NearCache.maximumEntries
        guard let number = Int(pair[1]), (0...most).contains(number) else {
          throw ConfigurationError("\(source): entries \"\(pair[1])\" is not a whole number from 0 to \(most)")
        }
        settings.entries = number
      case "lifetime_ms":
        let most = Int(LineupConfiguration.NearCache.maximumLifetime / .milliseconds(1))
        guard let number = Int(pair[1]), (1...most).contains(number) else {
          throw ConfigurationError("\(source): lifetime_ms \"\(pair[1])\" is not a whole number from 1 to \(most)")
        }
        settings.lifetime = .milliseconds(number)
      default:
        throw ConfigurationError("\(source): unknown near-cache setting \"\(pair[0])\" (entries, lifetime_ms)")
      }
    }
    return settings
  }

  /// Splits `name=value,…` into trimmed pairs.
  private static func namedValues(_ text: String, source: String) throws(ConfigurationError) -> [[String]] {
    var pairs: [[String]] = []
    for part in text.split(separator: ",") {
      let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard pair.count == 2 else { throw ConfigurationError("\(source): \"\(part)\" is not name=value") }
      pairs.append(pair)
    }
    return pairs
  }

  private static func port(_ text: String, source: String) throws(ConfigurationError) -> Int {
    guard let port = Int(text), (0...65535).contains(port) else {
      throw ConfigurationError("\(source): \"\(text)\" is not a port (0…65535)")
    }
    return port
  }

  private static func positiveInt(_ text: String, source: String) throws(ConfigurationError) -> Int {
    guard let value = Int(text), value > 0 else {
      throw ConfigurationError("\(source): \"\(text)\" is not a whole number > 0")
    }
    return value
  }
}

/// A configuration value that does not parse; the message names the flag or variable.
package struct ConfigurationError: Error, Sendable, CustomStringConvertible {
  package var description: String
  package init(_ description: String) { self.description = description }
}
