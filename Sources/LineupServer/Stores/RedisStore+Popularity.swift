package import LineupCore
package import LineupRedis

extension RedisStore: PopularityStore {
  package func topItems(in country: CountryCode, limit: Int, deadline: ContinuousClock.Instant) async throws -> [PopularityEntry] {
    guard limit > 0 else { return [] }
    let key = RedisKeys.countryPopularity(country)
    let reply = try await redis.send(RedisCommand("ZREVRANGE", key, "0", String(limit - 1), "WITHSCORES"), deadline: deadline)
    guard let pairs = reply.scoredMembers, pairs.allSatisfy({ $0.score.isFinite }) else { throw Self.malformed("popularity in \(key)") }
    let positive = pairs.filter { $0.score > 0 }
    // Normalized to the top item, as the in-memory store does: scores in (0, 1].
    guard let top = positive.first?.score else { return [] }
    return positive.map { PopularityEntry(itemID: $0.member, score: $0.score / top) }
  }

  package func addPopularity(_ increments: [PopularityIncrement], decay: PopularityDecay, deadline: ContinuousClock.Instant) async throws {
    try await run(Self.popularityCommands(increments, decay: decay), deadline: deadline)
  }

  /// One decayed-increment script call per country.
  static func popularityCommands(_ increments: [PopularityIncrement], decay: PopularityDecay) -> [RedisCommand] {
    let valid = increments.filter { $0.weight.isFinite && $0.weight > 0 && $0.at.isFinite }
    return Dictionary(grouping: valid, by: \.country).sorted { $0.key.value < $1.key.value }.map { country, increments in
      RedisScripts.decayedIncrement.command(
        keys: [RedisKeys.countryPopularity(country), RedisKeys.countryPopularityLandmark(country)],
        arguments: [decay.halfLife.redisArgument] + increments.flatMap { [$0.itemID, $0.weight.redisArgument, $0.at.redisArgument] }
      )
    }
  }
}
