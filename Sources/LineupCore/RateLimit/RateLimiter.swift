import Synchronization

/// Token buckets per key (a user id, an app id), all with one capacity and refill rate,
/// behind one lock, in bounded memory.
///
/// A key is remembered only while its bucket knows something: a bucket that has refilled to
/// capacity answers exactly as a fresh one would, so it can be dropped, and a request that
/// leaves a new key's bucket full (cost 0, or a cost that can never be paid) stores nothing.
/// When the table reaches `maxKeys` and a new key arrives, one sweep makes room for the
/// next quarter of `maxKeys` new keys:
///
/// 1. every full bucket is dropped (nothing is lost);
/// 2. if that frees too little, the buckets nearest to full go next — forgetting a bucket
///    hands its key the missing tokens, so these give away the least — and among equally
///    full ones the least recently used. A hot key that is being refused sits near empty
///    and is forgotten last: forgetting it would hand an abuser a fresh burst.
///
/// The sweep is O(n) and runs at most once per `maxKeys / 4` new keys, so its cost per
/// request is constant, but it holds the lock while it runs: about 1 ms at 100,000 keys
/// when full buckets make the room (release build), 20–30 ms when step 2 has to sort. Step 2
/// runs only when more than `maxKeys` keys were active within one refill period; then
/// `maxKeys` is too small for the traffic.
package final class RateLimiter: Sendable {
  /// Tokens a key may hold: its burst.
  package let capacity: Double
  /// Tokens a key regains per second: its steady rate.
  package let refillPerSecond: Double
  /// Most keys remembered at once.
  package let maxKeys: Int

  private let clock: @Sendable () -> Double
  private let table: Mutex<Table>

  /// `clock` gives seconds on a monotonic clock (`monotonicSeconds()` in a server, a manual
  /// one in tests). A wall clock can step: back, and keys regain nothing until it has caught
  /// up; forward, and they refill early.
  package init(capacity: Double, refillPerSecond: Double, maxKeys: Int, clock: @escaping @Sendable () -> Double) {
    precondition(capacity.isFinite && capacity > 0, "a rate limiter's capacity must be finite and above 0")
    precondition(
      refillPerSecond.isFinite && refillPerSecond > 0, "a rate limiter's refill rate must be finite and above 0")
    precondition(maxKeys >= 1, "a rate limiter must be able to remember at least one key")
    self.capacity = capacity
    self.refillPerSecond = refillPerSecond
    self.maxKeys = maxKeys
    self.clock = clock
    self.table = Mutex(Table())
  }

  /// Seconds since this call on a monotonic clock: the `clock` a server passes.
  package static func monotonicSeconds() -> @Sendable () -> Double {
    let start = ContinuousClock.now
    return { (ContinuousClock.now - start) / .seconds(1) }
  }

  /// Spends `cost` tokens from `key`'s bucket, or says how long until it holds them.
  package func take(key: String, cost: Double = 1) -> RateDecision {
    // Read outside the lock to keep it short. A caller whose reading is overtaken by a later
    // one under the lock sees no elapsed time (see `TokenBucket.tokens(at:)`), never extra.
    let now = clock()
    return table.withLock { table in
      table.take(key: key, cost: cost, now: now, capacity: capacity, refillPerSecond: refillPerSecond, maxKeys: maxKeys)
    }
  }

  /// Gives `cost` tokens back to `key` (never beyond capacity), for a request admitted here
  /// but refused by another limit. A key no longer remembered is already treated as full.
  package func refund(key: String, cost: Double = 1) {
    let now = clock()
    table.withLock { $0.buckets[key]?.bucket.refund(cost, now: now) }
  }

  /// How many keys are remembered right now.
  package var trackedKeys: Int { table.withLock { $0.buckets.count } }

  /// The tokens `key` holds now, or nil when it is not remembered (it would start full).
  package func tokens(for key: String) -> Double? {
    let now = clock()
    return table.withLock { $0.buckets[key]?.bucket.tokens(at: now) }
  }
}

/// The limiter's state, only ever touched under its lock.
private struct Table {
  struct Entry {
    var bucket: TokenBucket
    /// When the key was last asked about, in `Table.uses` order: the LRU tie-break.
    var lastUse: UInt64

    mutating func take(_ cost: Double, now: Double, use: UInt64) -> RateDecision {
      lastUse = use
      return bucket.take(cost, now: now)
    }
  }

  var buckets: [String: Entry] = [:]
  /// Counts requests, to order uses exactly even when the clock has not moved.
  var uses: UInt64 = 0

  mutating func take(
    key: String, cost: Double, now: Double, capacity: Double, refillPerSecond: Double, maxKeys: Int
  ) -> RateDecision {
    uses &+= 1
    let use = uses
    // Optional chaining through the subscript mutates the stored entry in place.
    if let decision = buckets[key]?.take(cost, now: now, use: use) { return decision }
    var bucket = TokenBucket(capacity: capacity, refillPerSecond: refillPerSecond, now: now)
    let decision = bucket.take(cost, now: now)
    guard !bucket.isFull(at: now) else { return decision }
    if buckets.count >= maxKeys { makeRoom(maxKeys: maxKeys, now: now) }
    buckets[key] = Entry(bucket: bucket, lastUse: use)
    return decision
  }

  /// Shrinks the table to at most `maxKeys - max(1, maxKeys / 4)` keys, in the order the
  /// type's documentation gives. Leaving a quarter free is what spaces sweeps apart; a
  /// larger share would forget more partly spent buckets when step 2 runs.
  private mutating func makeRoom(maxKeys: Int, now: Double) {
    let target = maxKeys - max(1, maxKeys / 4)
    buckets = buckets.filter { !$0.value.bucket.isFull(at: now) }
    let excess = buckets.count - target
    guard excess > 0 else { return }
    let forgettable = buckets.map { (key: $0.key, tokens: $0.value.bucket.tokens(at: now), lastUse: $0.value.lastUse) }
      .sorted { $0.tokens != $1.tokens ? $0.tokens > $1.tokens : $0.lastUse < $1.lastUse }
      .prefix(excess)
    for entry in forgettable { buckets.removeValue(forKey: entry.key) }
  }
}

/// Why a request was refused by `RequestRateLimits`: which limit, and when to try again.
package struct RateLimitRejection: Sendable, Equatable {
  /// "user" or "app".
  package var scope: String
  package var retryAfterSeconds: Double

  package init(scope: String, retryAfterSeconds: Double) {
    self.scope = scope
    self.retryAfterSeconds = retryAfterSeconds
  }
}

/// The limits one request passes: its calling app's and its user's, from `RateLimitSettings`.
/// A scope whose rate is 0 is off, and a request without an id for a scope (nil or empty) is
/// not limited by it.
///
/// The app is checked first. When the app admits a request and the user limit then refuses
/// it, the app's token is refunded: otherwise one user hammering past their own limit would
/// drain their app's allowance and lock out all its other users, turning the per-user limit
/// — which exists to contain that user — into an app-wide outage. (Checking the user first
/// instead would charge a user for requests their app's limit refused.)
package struct RequestRateLimits: Sendable {
  private let user: RateLimiter?
  private let app: RateLimiter?

  /// `settings` must have no `problem`; `clock` as for `RateLimiter`.
  package init(settings: RateLimitSettings, clock: @escaping @Sendable () -> Double) {
    precondition(settings.problem == nil, "invalid rate limit settings: \(settings.problem ?? "")")
    user =
      settings.perUserPerMinute == 0
      ? nil
      : RateLimiter(
        capacity: Double(settings.effectiveUserBurst), refillPerSecond: Double(settings.perUserPerMinute) / 60,
        maxKeys: settings.maxTrackedKeys, clock: clock)
    app =
      settings.perAppPerSecond == 0
      ? nil
      : RateLimiter(
        capacity: Double(settings.effectiveAppBurst), refillPerSecond: Double(settings.perAppPerSecond),
        maxKeys: settings.maxTrackedKeys, clock: clock)
  }

  /// Spends one token of each applicable limit, or says which limit refused the request
  /// (spending nothing).
  package func check(userID: String?, appID: String?) -> RateLimitRejection? {
    let appKey = appID.flatMap { $0.isEmpty ? nil : $0 }
    if let app, let appKey, case .limited(let retryAfter) = app.take(key: appKey) {
      return RateLimitRejection(scope: "app", retryAfterSeconds: retryAfter)
    }
    if let user, let userID, !userID.isEmpty, case .limited(let retryAfter) = user.take(key: userID) {
      if let app, let appKey { app.refund(key: appKey) }
      return RateLimitRejection(scope: "user", retryAfterSeconds: retryAfter)
    }
    return nil
  }
}
