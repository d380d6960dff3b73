/// Live popularity-by-country counters: the first rung of the fallback ladder. Implemented by
/// the embedded in-memory store and, later, by the Redis-backed store.
package protocol PopularityStore: Sendable {
  /// The most popular items in `country`, best first, at most `limit`, scores in [0, 1].
  /// Empty when the store has no data for the country; throws when the store fails.
  func topItems(in country: CountryCode, limit: Int) async throws -> [PopularityEntry]

  /// Adds `weight` to an item's popularity in a country.
  func addPopularity(_ weight: Double, itemID: String, in country: CountryCode) async throws
}
