package import LineupCore

/// The Redis key schema shared with the model pipeline (documented with redis-cli examples in
/// docs/redis-keys.md). Keys that one request reads together share a hash tag, so the
/// schema works unchanged on Redis Cluster.
package enum RedisKeys {
  /// ZSET: item id → popularity in a country (the fallback ladder's live rung).
  package static func countryPopularity(_ country: CountryCode) -> String {
    "lineup:pop:{c:\(country.value)}"
  }
}
