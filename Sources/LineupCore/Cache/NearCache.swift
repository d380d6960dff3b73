import Synchronization

/// An in-process near cache in front of the shared response cache: decoded answers kept for a
/// short lifetime (2 s by default), so a user asking again within it costs no Redis round
/// trip and no decode. Only answers read from the shared cache land here: a freshly computed
/// one is still on its way there (write-behind), and holding it would let this replica serve
/// an answer the others never see.
///
/// Why it may serve what it holds: the shared entry it copies lives for minutes (300 s ± 10%
/// for recommendations) and nothing but expiry, erasure or an operator replaces it while it
/// lives; a copy at most `lifetime` old is thus the shared answer, or one `lifetime` past its
/// expiry. Erasure is the one change that must not wait: `forget(userID:)` drops the user's
/// entries at once and remembers the erasure for `erasureMemory`, so an answer whose read began
/// before it (a request in flight while the user was erased) is refused instead of cached
/// again. Replicas hear of each other's erasures over pub/sub; a subscription that was lost
/// may have missed some, so it calls `removeAll()` when it is made again.
///
/// Bounded: at most `capacity` entries, the oldest insert evicted first (a ring of slots, O(1)
/// per insert). With a lifetime of seconds, insertion order is as good as recency.
package final class NearCache<Value: Sendable>: Sendable {

  private struct Entry {
    var value: Value
    var expires: ContinuousClock.Instant
    /// The ring slot that holds this entry's key; a refill moves it.
    var slot: Int
  }

  private struct State {
    var entries: [ResponseCacheKey: Entry] = [:]
    /// Keys by insertion, `capacity` slots reused in turn.
    var ring: [ResponseCacheKey?]
    var next = 0
    /// User → when their data was erased, for `erasureMemory`.
    var erasures: [String: ContinuousClock.Instant] = [:]
    /// When `removeAll()` last ran: answers whose read began before it are refused too.
    var clearedAt: ContinuousClock.Instant?
  }

  package let capacity: Int
  package let lifetime: Duration
  /// How long an erasure refuses answers whose read began before it: longer than any
  /// request's store deadline.
  package let erasureMemory: Duration
  private let clock: @Sendable () -> ContinuousClock.Instant
  private let state: Mutex<State>
  private let hits = Atomic<Int>(0)
  private let misses = Atomic<Int>(0)

  /// - Parameters:
  ///   - capacity: most entries held (> 0).
  ///   - lifetime: how long an entry is served after it was read or computed.
  ///   - erasureMemory: how long `forget(userID:)` refuses older reads (default 30 s).
  ///   - clock: now; injected so tests control time.
  package init(
    capacity: Int, lifetime: Duration, erasureMemory: Duration = .seconds(30),
    clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
  ) {
    precondition(capacity > 0, "a near cache holds at least one entry")
    self.capacity = capacity
    self.lifetime = lifetime
    self.erasureMemory = erasureMemory
    self.clock = clock
    self.state = Mutex(State(ring: Array(repeating: nil, count: capacity)))
  }

  /// The live entry for `key`, if any (counted as a hit or a miss).
  package func value(for key: ResponseCacheKey) -> Value? {
    let now = clock()
    let found = state.withLock { state -> Value? in
      guard let entry = state.entries[key] else { return nil }
      // An expired entry stays until its slot is reused: removing it here would leave a
      // ring slot pointing at nothing, which the slot check already tolerates, but costs a
      // second hash for no gain.
      return entry.expires > now ? entry.value : nil
    }
    if found == nil { misses.add(1, ordering: .relaxed) } else { hits.add(1, ordering: .relaxed) }
    return found
  }

  /// Keeps `value` for `key` for `lifetime`, unless the user was erased, or the cache emptied,
  /// after `readStarted` (the moment the read or computation that produced `value` began).
  package func insert(_ value: Value, for key: ResponseCacheKey, readStarted: ContinuousClock.Instant) {
    let now = clock()
    state.withLock { state in
      if let erased = state.erasures[key.userID], erased >= readStarted { return }
      if let cleared = state.clearedAt, cleared >= readStarted { return }
      if let old = state.entries[key] {
        // A refill: keep the key's slot, so one key never holds two.
        state.entries[key] = Entry(value: value, expires: now + lifetime, slot: old.slot)
        return
      }
      let slot = state.next
      state.next = (slot + 1) % capacity
      if let evicted = state.ring[slot], state.entries[evicted]?.slot == slot {
        state.entries[evicted] = nil
      }
      state.ring[slot] = key
      state.entries[key] = Entry(value: value, expires: now + lifetime, slot: slot)
    }
  }

  /// Drops every entry of `userID` and refuses, for `erasureMemory`, answers for them whose
  /// read began before now. O(entries): erasure is rare.
  package func forget(userID: String) {
    let now = clock()
    state.withLock { state in
      state.entries = state.entries.filter { $0.key.userID != userID }
      // Old erasures have done their work; drop them here, where the map grows.
      let memory = erasureMemory
      state.erasures = state.erasures.filter { now - $0.value < memory }
      state.erasures[userID] = now
    }
  }

  /// Drops every entry (erasures stay remembered), and refuses answers whose read began
  /// before now: one read before an erasure this replica did not hear of must not land after.
  package func removeAll() {
    let now = clock()
    state.withLock { state in
      state.clearedAt = now
      state.entries.removeAll(keepingCapacity: true)
      state.ring = Array(repeating: nil, count: capacity)
      state.next = 0
    }
  }

  /// Hits and misses so far, and the entries held now (expired ones included until their
  /// slot is reused).
  package var counts: NearCacheCounts {
    NearCacheCounts(
      hits: hits.load(ordering: .relaxed), misses: misses.load(ordering: .relaxed),
      entries: state.withLock { $0.entries.count })
  }
}

/// A near cache's lookups since it was made, and the entries it holds now.
package struct NearCacheCounts: Sendable, Equatable {
  package var hits: Int
  package var misses: Int
  package var entries: Int

  package init(hits: Int, misses: Int, entries: Int) {
    self.hits = hits
    self.misses = misses
    self.entries = entries
  }
}
