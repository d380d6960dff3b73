package import LineupCore
package import LineupRedis

/// Live popularity-by-country in Redis: one ZSET per country (see `RedisKeys`), read with
/// one ZREVRANGE. Every call is bounded by `commandTimeout`, and with Redis down it fails at
/// once (the client never waits for a reconnect), so the fallback ladder drops to the files
/// within budget.
package struct RedisPopularityStore: PopularityStore {
  let client: RedisClient
  let commandTimeout: Duration

  package init(client: RedisClient, commandTimeout: Duration) {
    self.client = client
    self.commandTimeout = commandTimeout
  }

  package func topItems(in country: CountryCode, limit: Int) async throws -> [PopularityEntry] {
    guard limit > 0 else { return [] }
    let reply = try await client.send(
      RedisCommand("ZREVRANGE", RedisKeys.countryPopularity(country), "0", String(limit - 1), "WITHSCORES"),
      deadline: .now + commandTimeout
    )
    guard let flat = reply.array, flat.count % 2 == 0 else {
      throw RedisError(.protocolError, "ZREVRANGE WITHSCORES did not answer member/score pairs")
    }
    var entries: [PopularityEntry] = []
    entries.reserveCapacity(flat.count / 2)
    for index in stride(from: 0, to: flat.count, by: 2) {
      // A value that does not parse is a dependency failure for this request, never a crash.
      guard let member = flat[index].string, let text = flat[index + 1].string, let score = Double(text),
        score.isFinite
      else {
        throw RedisError(.protocolError, "unparsable popularity entry in \(RedisKeys.countryPopularity(country))")
      }
      if score > 0 { entries.append(PopularityEntry(itemID: member, score: score)) }
    }
    // Normalized to the top item, as the in-memory store does: scores in (0, 1].
    guard let top = entries.first?.score else { return [] }
    return entries.map { PopularityEntry(itemID: $0.itemID, score: $0.score / top) }
  }

  package func addPopularity(_ weight: Double, itemID: String, in country: CountryCode) async throws {
    guard weight.isFinite, weight > 0 else { return }
    _ = try await client.send(
      RedisCommand("ZINCRBY", RedisKeys.countryPopularity(country), String(weight), itemID),
      deadline: .now + commandTimeout
    )
  }
}
