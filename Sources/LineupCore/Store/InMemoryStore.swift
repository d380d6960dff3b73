import Synchronization

/// The embedded store `make run` uses when no Redis is configured: everything in process
/// memory, lost on restart. It implements the same store protocols as the Redis-backed store
/// and passes the same contract tests.
package final class InMemoryStore: PopularityStore {
  private let popularity = Mutex<[CountryCode: [String: Double]]>([:])

  package init() {}

  package func topItems(in country: CountryCode, limit: Int) async throws -> [PopularityEntry] {
    let counts = popularity.withLock { $0[country] ?? [:] }
    guard let top = counts.values.max(), top > 0, limit > 0 else { return [] }
    // Ties broken by id so the order is deterministic.
    return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      .prefix(limit)
      .map { PopularityEntry(itemID: $0.key, score: $0.value / top) }
  }

  package func addPopularity(_ weight: Double, itemID: String, in country: CountryCode) async throws {
    guard weight.isFinite, weight > 0 else { return }
    popularity.withLock { $0[country, default: [:]][itemID, default: 0] += weight }
  }
}
