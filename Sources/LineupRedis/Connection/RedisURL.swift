import Foundation

/// Where and how to connect: `redis://[user[:password]@]host[:port][/db]` or
/// `unix:///path/to/redis.sock[?db=N&user=U&password=P]`. Credentials in the URL are
/// percent-decoded. `rediss://` (TLS) is refused with a clear error rather than silently
/// connecting in plaintext.
package struct RedisURL: Sendable, Hashable, CustomStringConvertible {
  /// TCP host and port, or a Unix socket path.
  package enum Endpoint: Sendable, Hashable {
    case tcp(host: String, port: Int)
    case unix(path: String)
  }

  package var endpoint: Endpoint
  /// ACL user name (Redis 6+); nil with a password means the legacy `AUTH password`.
  package var user: String?
  package var password: String?
  /// Database index for SELECT; 0 needs no SELECT.
  package var database: Int

  package init(endpoint: Endpoint, user: String? = nil, password: String? = nil, database: Int = 0) {
    self.endpoint = endpoint
    self.user = user
    self.password = password
    self.database = database
  }

  /// Parses a URL; the error names what is wrong.
  package init(_ text: String) throws(RedisError) {
    guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
      throw RedisError(.invalidURL, "not a URL: expected redis://host:port/db or unix:///path")
    }
    let query = Dictionary(
      (components.queryItems ?? []).compactMap { item in item.value.map { (item.name, $0) } },
      uniquingKeysWith: { _, last in last }
    )
    switch scheme {
    case "redis":
      guard let host = components.host, !host.isEmpty else { throw RedisError(.invalidURL, "redis:// URL without a host") }
      let port = components.port ?? 6379
      guard (1...65535).contains(port) else { throw RedisError(.invalidURL, "port \(port) out of range") }
      let path = components.path.drop { $0 == "/" }
      var database = 0
      if !path.isEmpty {
        guard let parsed = Int(path), parsed >= 0 else {
          throw RedisError(.invalidURL, "database \"\(path)\" is not a number >= 0")
        }
        database = parsed
      }
      self.init(
        endpoint: .tcp(host: host, port: port),
        user: components.percentEncodedUser.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding },
        password: components.percentEncodedPassword.flatMap { $0.removingPercentEncoding },
        database: database
      )
    case "unix":
      guard !components.path.isEmpty else { throw RedisError(.invalidURL, "unix:// URL without a socket path") }
      var database = 0
      if let db = query["db"] {
        guard let parsed = Int(db), parsed >= 0 else { throw RedisError(.invalidURL, "db \"\(db)\" is not a number >= 0") }
        database = parsed
      }
      self.init(endpoint: .unix(path: components.path), user: query["user"], password: query["password"], database: database)
    case "rediss":
      throw RedisError(.invalidURL, "rediss:// (TLS) is not supported yet; use a TLS tunnel or redis://")
    default:
      throw RedisError(.invalidURL, "scheme \"\(scheme)\" is not redis:// or unix://")
    }
  }

  /// The URL without its password, safe to log.
  package var description: String {
    let auth = user.map { "\($0)@" } ?? (password != nil ? ":***@" : "")
    switch endpoint {
    case .tcp(let host, let port): return "redis://\(auth)\(host):\(port)/\(database)"
    case .unix(let path): return "unix://\(path)?db=\(database)"
    }
  }
}
