import LineupCore
import LineupServer
import Logging
import Testing

@Suite("Configuration from environment and flags")
struct LineupConfigurationTests {
  @Test("defaults match the README's configuration table")
  func defaults() throws {
    let config = try LineupConfiguration.resolve(environment: [:])
    #expect(config.server.host == "127.0.0.1")
    #expect(config.server.port == 50051)
    #expect(config.metricsPort == 9464)
    #expect(config.fallback.directory == "fallback-data")
    #expect(config.server.maxRequestBytes == 1_048_576)
    #expect(config.server.drainTimeout == .seconds(10))
    #expect(config.logLevel == .info)
    #expect(config.userHashKey == "")
    #expect(config.redis.url == nil)
    #expect(config.redis.clusterSeeds.isEmpty)
    #expect(config.redis.commandTimeout == .milliseconds(50))
    #expect(config.redis.nearCache.entries == 10_000 && config.redis.nearCache.lifetime == .seconds(2))
    #expect(config.ttls.recommendations == 300 && config.ttls.feed == 60 && config.ttls.prices == 300)
    #expect(config.ttls.userFeatures == 86_400 && config.ttls.feedSession == 1_800 && config.ttls.jitter == 0.1)
  }

  @Test("Redis cluster seeds, the command timeout and TTL budgets parse")
  func redisAndTTLs() throws {
    let config = try LineupConfiguration.resolve(environment: [
      "LINEUP_REDIS_CLUSTER": "10.0.0.1:7000, redis://ops:secret@10.0.0.2:7001",
      "LINEUP_REDIS_TIMEOUT_MS": "20",
      "LINEUP_TTLS": "recs=120,sessions=900,jitter=0.05",
      "LINEUP_NEAR_CACHE": "lifetime_ms=500",
    ])
    #expect(config.redis.nearCache.lifetime == .milliseconds(500) && config.redis.nearCache.entries == 10_000)
    let off = try LineupConfiguration.resolve(environment: [:], flags: [.nearCache: "entries=0"])
    #expect(off.redis.nearCache.entries == 0)
    let largest = try LineupConfiguration.resolve(environment: [:], flags: [.nearCache: "entries=1000000,lifetime_ms=10000"])
    #expect(largest.redis.nearCache.entries == 1_000_000 && largest.redis.nearCache.lifetime == .seconds(10))
    #expect(config.redis.clusterSeeds.map(\.description) == ["redis://10.0.0.1:7000/0", "redis://ops@10.0.0.2:7001/0"])
    #expect(config.redis.commandTimeout == .milliseconds(20))
    #expect(config.ttls.recommendations == 120 && config.ttls.feedSession == 900 && config.ttls.jitter == 0.05)
    #expect(config.ttls.feed == 60)
  }

  @Test("every documented variable is applied")
  func environment() throws {
    let config = try LineupConfiguration.resolve(environment: [
      "LINEUP_HOST": "0.0.0.0", "LINEUP_PORT": "6000", "LINEUP_METRICS_PORT": "0",
      "LINEUP_FALLBACK_DATA": "/data", "LINEUP_MAX_REQUEST_BYTES": "2048", "LINEUP_DRAIN_TIMEOUT_SEC": "3",
      "LINEUP_LOG_LEVEL": "DEBUG", "LINEUP_USER_HASH_KEY": "k", "UNRELATED": "x",
    ])
    #expect(config.server.host == "0.0.0.0")
    #expect(config.server.port == 6000)
    #expect(config.metricsPort == nil)
    #expect(config.fallback.directory == "/data")
    #expect(config.server.maxRequestBytes == 2048)
    #expect(config.server.drainTimeout == .seconds(3))
    #expect(config.logLevel == .debug)
    #expect(config.userHashKey == "k")
  }

  @Test("flags win over the environment")
  func precedence() throws {
    let config = try LineupConfiguration.resolve(
      environment: ["LINEUP_PORT": "6000", "LINEUP_HOST": "0.0.0.0"],
      flags: [.port: "7000"]
    )
    #expect(config.server.port == 7000)
    #expect(config.server.host == "0.0.0.0")
  }

  @Test("every key has a distinct variable and flag")
  func keys() {
    #expect(Set(ConfigurationKey.allCases.map(\.environmentVariable)).count == ConfigurationKey.allCases.count)
    #expect(Set(ConfigurationKey.allCases.map(\.flag)).count == ConfigurationKey.allCases.count)
  }

  @Test("a value that does not parse names its variable", arguments: [
    ("LINEUP_PORT", "http"), ("LINEUP_PORT", "70000"), ("LINEUP_METRICS_PORT", "-1"),
    ("LINEUP_MAX_REQUEST_BYTES", "0"), ("LINEUP_DRAIN_TIMEOUT_SEC", "soon"), ("LINEUP_LOG_LEVEL", "loud"),
    ("LINEUP_REDIS_CLUSTER", ","), ("LINEUP_REDIS_CLUSTER", "rediss://a:1"), ("LINEUP_REDIS_TIMEOUT_MS", "0"),
    ("LINEUP_EXECUTOR", "fast"), ("LINEUP_TTLS", "recs"), ("LINEUP_TTLS", "recs=-1"), ("LINEUP_TTLS", "jitter=0.9"), ("LINEUP_TTLS", "week=7"),
    ("LINEUP_NEAR_CACHE", "entries=-1"), ("LINEUP_NEAR_CACHE", "lifetime_ms=0"), ("LINEUP_NEAR_CACHE", "size=10"),
    ("LINEUP_NEAR_CACHE", "entries=1000000000"), ("LINEUP_NEAR_CACHE", "lifetime_ms=10001"),
  ])
  func rejectsEnvironment(key: String, value: String) {
    do {
      _ = try LineupConfiguration.resolve(environment: [key: value])
      Issue.record("\(key)=\(value) should be rejected")
    } catch {
      #expect(error.description.hasPrefix(key))
    }
  }

  @Test("a bad flag value names the flag")
  func rejectsFlag() {
    do {
      _ = try LineupConfiguration.resolve(environment: [:], flags: [.port: "x"])
      Issue.record("--port x should be rejected")
    } catch {
      #expect(error.description.hasPrefix("--port"))
    }
  }
}
