import PropertyBased
import Synchronization
import Testing

@testable import LineupCore

/// A monotonic instant that a test moves by hand: no test sleeps.
private final class SteppedInstant: Sendable {
  private let now: Mutex<ContinuousClock.Instant>
  init() { now = Mutex(.now) }
  var read: @Sendable () -> ContinuousClock.Instant { { self.now.withLock { $0 } } }
  var current: ContinuousClock.Instant { now.withLock { $0 } }
  func advance(_ duration: Duration) { now.withLock { $0 += duration } }
}

@Suite("Near cache: lifetime, bound, erasure")
struct NearCacheTests {
  private static func key(_ user: String, _ fingerprint: String = "f") -> ResponseCacheKey {
    .recommendations(userID: user, fingerprint: fingerprint)
  }

  @Test("an entry is served for its lifetime and not a moment after; lookups are counted")
  func lifetime() {
    let clock = SteppedInstant()
    let cache = NearCache<Int>(capacity: 4, lifetime: .seconds(2), clock: clock.read)
    #expect(cache.value(for: Self.key("u")) == nil)
    cache.insert(7, for: Self.key("u"), readStarted: clock.current)
    clock.advance(.milliseconds(1_999))
    #expect(cache.value(for: Self.key("u")) == 7)
    #expect(cache.value(for: Self.key("u", "other")) == nil, "another fingerprint is another answer")
    clock.advance(.milliseconds(1))
    #expect(cache.value(for: Self.key("u")) == nil)
    #expect(cache.counts == NearCacheCounts(hits: 1, misses: 3, entries: 1))
    // A refill starts a new lifetime.
    cache.insert(8, for: Self.key("u"), readStarted: clock.current)
    clock.advance(.seconds(1))
    #expect(cache.value(for: Self.key("u")) == 8)
  }

  @Test("past capacity the oldest insert goes first; a refilled key keeps one slot")
  func bound() {
    let clock = SteppedInstant()
    let cache = NearCache<Int>(capacity: 3, lifetime: .seconds(60), clock: clock.read)
    for (index, user) in ["a", "b", "c"].enumerated() { cache.insert(index, for: Self.key(user), readStarted: clock.current) }
    // Refilling "a" must not give it a second slot: were it to, "a" would later be evicted
    // while the ring still thought it held "b".
    cache.insert(10, for: Self.key("a"), readStarted: clock.current)
    cache.insert(3, for: Self.key("d"), readStarted: clock.current)  // reuses a's slot
    #expect(cache.value(for: Self.key("a")) == nil)
    #expect(cache.value(for: Self.key("b")) == 1 && cache.value(for: Self.key("c")) == 2 && cache.value(for: Self.key("d")) == 3)
    #expect(cache.counts.entries == 3)
  }

  @Test("at any capacity and insert sequence: never more than capacity entries, and exactly the last keys to enter, with their newest values")
  func boundProperty() async {
    await propertyCheck(count: 300, input: Gen.int(in: 1...8), Gen.int(in: 0...60), Gen.int(in: 0...Int.max)) { capacity, length, seed in
      var random = SplitMix64(seed: UInt64(seed))
      let users = (0..<length).map { _ in Int(random.next() % 12) }
      let cache = NearCache<Int>(capacity: capacity, lifetime: .seconds(60))
      for (index, user) in users.enumerated() { cache.insert(index, for: Self.key("u\(user)"), readStarted: .now) }
      #expect(cache.counts.entries <= capacity)
      // The last `capacity` distinct keys first inserted (refills keep their slot, so order
      // is by first insert since the key last entered).
      var ring: [Int] = []
      var latest: [Int: Int] = [:]
      for (index, user) in users.enumerated() {
        if !ring.contains(user) {
          ring.append(user)
          if ring.count > capacity { latest[ring.removeFirst()] = nil }
        }
        latest[user] = index
      }
      for (user, value) in latest { #expect(cache.value(for: Self.key("u\(user)")) == value) }
      #expect(cache.counts.entries == latest.count)
    }
  }

  @Test("forget drops every answer of the user at once and refuses answers read before it; later reads are kept")
  func erasure() {
    let clock = SteppedInstant()
    let cache = NearCache<Int>(capacity: 8, lifetime: .seconds(60), erasureMemory: .seconds(30), clock: clock.read)
    let readBeforeErasure = clock.current
    cache.insert(1, for: Self.key("gone", "f1"), readStarted: readBeforeErasure)
    cache.insert(2, for: Self.key("gone", "f2"), readStarted: readBeforeErasure)
    cache.insert(3, for: Self.key("kept"), readStarted: readBeforeErasure)
    clock.advance(.milliseconds(10))
    cache.forget(userID: "gone")
    #expect(cache.value(for: Self.key("gone", "f1")) == nil && cache.value(for: Self.key("gone", "f2")) == nil)
    #expect(cache.value(for: Self.key("kept")) == 3)

    // A request that was reading while the user was erased brings back what it read: refused.
    cache.insert(4, for: Self.key("gone", "f1"), readStarted: readBeforeErasure)
    #expect(cache.value(for: Self.key("gone", "f1")) == nil)
    // A read that began after the erasure saw the store without the user's old data: kept.
    clock.advance(.milliseconds(1))
    cache.insert(5, for: Self.key("gone", "f1"), readStarted: clock.current)
    #expect(cache.value(for: Self.key("gone", "f1")) == 5)
  }

  @Test("removeAll empties the cache and its ring and refuses answers read before it; erasures stay remembered")
  func removeAll() {
    let clock = SteppedInstant()
    let cache = NearCache<Int>(capacity: 2, lifetime: .seconds(60), erasureMemory: .seconds(30), clock: clock.read)
    let early = clock.current
    clock.advance(.milliseconds(5))
    cache.forget(userID: "gone")
    clock.advance(.milliseconds(5))
    let readBeforeClear = clock.current
    cache.insert(1, for: Self.key("a"), readStarted: readBeforeClear)
    clock.advance(.milliseconds(5))
    cache.removeAll()
    #expect(cache.counts.entries == 0 && cache.value(for: Self.key("a")) == nil)
    // A read in flight across the clear may hold what an unheard erasure removed: refused,
    // whoever the user.
    cache.insert(2, for: Self.key("a"), readStarted: readBeforeClear)
    #expect(cache.value(for: Self.key("a")) == nil)
    clock.advance(.milliseconds(1))
    // The erasure is still remembered past the clear.
    cache.insert(3, for: Self.key("gone"), readStarted: early)
    #expect(cache.value(for: Self.key("gone")) == nil)
    for user in ["b", "c"] { cache.insert(0, for: Self.key(user), readStarted: clock.current) }
    #expect(cache.counts.entries == 2)
    #expect(cache.value(for: Self.key("b")) == 0)
  }
}
