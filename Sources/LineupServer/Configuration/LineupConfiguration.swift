package import LineupCore
package import LineupRedis
package import Logging

/// Everything lineup-server can be told, with documented defaults. Reading values from the
/// environment and from flags lives in `ConfigurationKey.swift`, which lists every key.
package struct LineupConfiguration: Sendable, Equatable {
  /// The gRPC listener.
  package struct Server: Sendable, Equatable {
    /// Interface to bind. Default 127.0.0.1: plaintext stays on loopback unless asked.
    package var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (tests). Default 50051.
    package var port = 50051
    /// Largest accepted request message; bigger ones get RESOURCE_EXHAUSTED. Default 1 MiB,
    /// far above any valid request (1000 events) and far below gRPC's 4 MiB default.
    package var maxRequestBytes = 1 << 20
    /// How long a graceful shutdown waits for in-flight RPCs before cancelling them.
    package var drainTimeout: Duration = .seconds(10)
    /// TLS for the gRPC port; nil (the default) serves plaintext, meant for loopback.
    package var tls: TLS?

    package init() {}
  }

  /// TLS for the gRPC port, from PEM files read when the server starts.
  package struct TLS: Sendable, Equatable {
    /// The server's certificate chain, leaf first (`--tls-cert`).
    package var certificateChainPath: String
    /// The leaf certificate's private key (`--tls-key`).
    package var privateKeyPath: String
    /// When set, every client must present a certificate signed by one of these CAs
    /// (`--tls-client-ca`, mutual TLS); when nil, clients are not asked for one.
    package var clientCAPath: String?

    package init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) {
      self.certificateChainPath = certificateChainPath
      self.privateKeyPath = privateKeyPath
      self.clientCAPath = clientCAPath
    }
  }

  /// The fallback baselines.
  package struct Fallback: Sendable, Equatable {
    /// Directory holding catalog.csv and popularity/*.csv. Default "fallback-data"
    /// (relative to the working directory).
    package var directory = "fallback-data"

    package init() {}
  }

  /// The Redis data plane.
  package struct Redis: Sendable, Equatable {
    /// Where Redis is; nil (and no cluster seeds) runs on the embedded in-memory store.
    /// Default nil.
    package var url: RedisURL?
    /// Redis Cluster seed nodes; when set, Lineup routes by slot instead of using `url`.
    /// Default none.
    package var clusterSeeds: [RedisURL] = []
    /// Bound on one Redis call on the request path, whatever the caller's deadline; past it
    /// the request falls back. Default 50 ms.
    package var commandTimeout: Duration = .milliseconds(50)
    /// Kept back from the caller's deadline for ranking, encoding and sending the answer.
    /// Default 5 ms.
    package var deadlineMargin: Duration = .milliseconds(5)
    /// Pooled connections per Redis node; each pipelines many commands. Default 2.
    package var connectionsPerNode = 2
    /// This replica's copies of response-cache hits (`--near-cache`).
    package var nearCache = NearCache()

    package init() {}
  }

  /// In-process copies of GetRecommendations answers read from the response cache, so a user
  /// asking again within `lifetime` costs no Redis round trip (docs/redis-keys.md).
  package struct NearCache: Sendable, Equatable {
    /// Most answers held; 0 keeps none. Default 10,000 (at ~3 KB a slate of 20, ~30 MB).
    package var entries = 10_000
    /// How long a copy is served: the most a replica's answer can lag the shared entry's
    /// replacement or expiry. Erasures do not wait for it. Default 2 s.
    package var lifetime: Duration = .seconds(2)

    /// The most `entries` accepted: the ring of slots is allocated up front, so a typo of a
    /// few zeros would otherwise take the process's memory at boot.
    package static let maximumEntries = 1_000_000
    /// The longest `lifetime` accepted: it is also how long a replica whose subscription
    /// died silently may serve an erased user's answer, and how far it may lag an operator's
    /// change to the shared cache.
    package static let maximumLifetime: Duration = .seconds(10)

    package init() {}
  }

  /// Where Swift tasks run. `nio` installs SwiftNIO's event loops as Swift's global
  /// executor, so a handler awaiting Redis or gRPC I/O resumes on the loop that completed it
  /// instead of hopping to Swift's thread pool and back (two context switches per await).
  /// Everything Lineup runs on the request path is non-blocking, which is the condition for
  /// it. Default `default` (Swift's own pool).
  package enum Executor: String, Sendable, Equatable {
    case `default`
    case nio
  }

  /// The in-memory catalog mirror.
  package struct Catalog: Sendable, Equatable {
    /// How often each replica checks the shared catalog version. Default 1 s.
    package var refreshInterval: Duration = .seconds(1)
    /// A creator counts as new this long after first being seen. Default 30 days.
    package var newCreatorWindowSeconds = 30 * 86_400

    package init() {}
  }

  /// The control plane: flags, breakers, the admin tokens, rate limits.
  package struct Control: Sendable, Equatable {
    /// Flags in force before (and without) the shared store: every capability on, overlaid
    /// by `--flags-file`.
    package var flagDefaults = FlagCatalog.defaults()
    /// Thresholds of every circuit breaker (`--breakers`).
    package var breakers = BreakerSettings()
    /// How often each replica re-reads the shared control state. Default 1 s, so a change
    /// made through any replica is obeyed by all within 2 s.
    package var refreshInterval: Duration = .seconds(1)
    /// Who may call the Admin service; empty refuses every admin call (UNAUTHENTICATED).
    package var adminTokens: [AdminToken] = []
    /// Per-user and per-app request rates (`--rate-limits`).
    package var rateLimits = RateLimitSettings()

    package init() {}
  }

  package var server = Server()
  package var redis = Redis()
  package var control = Control()
  package var fallback = Fallback()
  /// HTTP side port for /healthz and /readyz (and /metrics with the control plane), on the
  /// same interface as gRPC; nil disables it. Default 9464.
  package var metricsPort: Int? = 9464
  /// Size limits on request fields.
  package var limits = RequestLimits()
  /// Cache TTL budgets per RPC.
  package var ttls = TTLBudgets()
  /// The recommendation pipeline's blend weights, exploration share and guardrails.
  package var ranking = RankingSettings()
  /// The catalog mirror.
  package var catalog = Catalog()
  /// How interaction events become signals (weights, decay, caps, de-duplication window).
  package var ingestion = IngestionSettings()
  /// Where Swift tasks run. Default `.default`.
  package var executor = Executor.default
  /// Minimum log level. Default info.
  package var logLevel: Logger.Level = .info
  /// Secret mixed into the hashes of user ids in logs, so they cannot be reversed by hashing
  /// guessed ids. Set the same value on every replica to correlate a user's lines across
  /// them. Default "" (unkeyed: stable, but guessable ids can be recovered).
  package var userHashKey = ""

  package init() {}
}
