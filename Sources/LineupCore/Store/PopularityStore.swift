/// Live popularity-by-country counters: the first rung of the fallback ladder and the
/// trending candidate source. Written by RecordInteractions with forward time decay (see
/// `PopularityDecay`); implemented by the embedded in-memory store and the Redis store.
package protocol PopularityStore: Sendable {
  /// The most popular items in `country`, best first, at most `limit`, scores in (0, 1]
  /// (normalized to the top item, so only ratios matter). Empty when the store has no data
  /// for the country; throws when the store fails or the deadline passes.
  func topItems(in country: CountryCode, limit: Int, deadline: ContinuousClock.Instant) async throws -> [PopularityEntry]

  /// Adds decayed increments (non-positive or non-finite weights are ignored).
  func addPopularity(_ increments: [PopularityIncrement], decay: PopularityDecay, deadline: ContinuousClock.Instant) async throws
}
