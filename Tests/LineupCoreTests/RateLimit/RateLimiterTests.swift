import LineupCore
import Testing

@Suite("Rate limiter")
struct RateLimiterTests {
  @Test("each key has its own bucket")
  func keysAreIndependent() {
    let clock = SetTestClock()
    let limiter = RateLimiter(capacity: 2, refillPerSecond: 1, maxKeys: 10, clock: clock.read)
    #expect(limiter.take(key: "a").isAllowed)
    #expect(limiter.take(key: "a").isAllowed)
    #expect(limiter.take(key: "a") == .limited(retryAfterSeconds: 1))
    #expect(limiter.take(key: "b") == .allowed(remaining: 1))
    #expect(limiter.take(key: "a", cost: 0).isAllowed)
    clock.set(1)
    #expect(limiter.take(key: "a") == .allowed(remaining: 0))
    #expect(limiter.take(key: "b") == .allowed(remaining: 1))
  }

  @Test("100 per minute through the limiter: the 101st call waits 0.6 s, then one more is admitted")
  func hundredPerMinute() {
    let clock = SetTestClock()
    let limiter = RateLimiter(capacity: 100, refillPerSecond: 100.0 / 60, maxKeys: 10, clock: clock.read)
    for _ in 0..<100 { #expect(limiter.take(key: "u").isAllowed) }
    #expect(isNear(limiter.take(key: "u").retryAfter, 0.6))
    clock.set(0.6)
    #expect(limiter.take(key: "u").isAllowed)
    #expect(!limiter.take(key: "u").isAllowed)
  }

  @Test("a request that leaves a new key's bucket full stores nothing")
  func fullBucketsAreNotStored() {
    let limiter = RateLimiter(capacity: 5, refillPerSecond: 1, maxKeys: 10, clock: SetTestClock().read)
    #expect(limiter.take(key: "big", cost: 6) == .limited(retryAfterSeconds: 5))
    #expect(limiter.take(key: "free", cost: 0).isAllowed)
    #expect(limiter.trackedKeys == 0)
    #expect(limiter.tokens(for: "big") == nil)
  }

  @Test("the table never holds more than maxKeys, however many keys arrive", arguments: [1, 2, 3, 4, 10, 64])
  func tableStaysBounded(maxKeys: Int) {
    let clock = SetTestClock()
    let limiter = RateLimiter(capacity: 3, refillPerSecond: 1, maxKeys: maxKeys, clock: clock.read)
    for i in 0..<(20 * maxKeys) {
      // Half the time the clock stands still, so no bucket refills and eviction must
      // fall back to forgetting partly spent ones.
      if i % 2 == 0 { clock.set(Double(i) / 10) }
      #expect(limiter.take(key: "k\(i)").isAllowed)
      #expect(limiter.trackedKeys <= maxKeys)
    }
    #expect(limiter.trackedKeys >= 1)
  }

  @Test("a full table drops full buckets first: an empty hot key is not forgotten while idle full ones exist")
  func prefersFullBuckets() {
    let clock = SetTestClock()
    let limiter = RateLimiter(capacity: 2, refillPerSecond: 1, maxKeys: 4, clock: clock.read)
    #expect(limiter.take(key: "hot", cost: 2).isAllowed)
    for key in ["idle1", "idle2", "idle3"] { #expect(limiter.take(key: key).isAllowed) }
    clock.set(1)
    // The idle keys have refilled; the hot key keeps itself empty.
    #expect(limiter.take(key: "hot", cost: 1).isAllowed)
    #expect(limiter.take(key: "new").isAllowed)
    #expect(limiter.trackedKeys == 2)
    #expect(limiter.tokens(for: "hot") == 0)
    #expect(limiter.take(key: "hot") == .limited(retryAfterSeconds: 1))
    #expect(limiter.tokens(for: "idle1") == nil)
  }

  @Test("with no full bucket, the nearest-full one is forgotten first, so the least is given away")
  func forgetsNearestFull() {
    let limiter = RateLimiter(capacity: 4, refillPerSecond: 1, maxKeys: 4, clock: SetTestClock().read)
    _ = limiter.take(key: "a", cost: 4)
    _ = limiter.take(key: "b", cost: 1)
    _ = limiter.take(key: "c", cost: 2)
    _ = limiter.take(key: "d", cost: 4)
    // Room for a quarter of maxKeys (one key): "b", with 3 of 4 tokens, loses the least.
    _ = limiter.take(key: "e")
    #expect(limiter.trackedKeys == 4)
    #expect(limiter.tokens(for: "b") == nil)
    #expect(limiter.tokens(for: "a") == 0 && limiter.tokens(for: "c") == 2 && limiter.tokens(for: "d") == 0)
  }

  @Test("among equally spent buckets, the least recently used is forgotten")
  func lruBreaksTies() {
    let limiter = RateLimiter(capacity: 1, refillPerSecond: 1, maxKeys: 3, clock: SetTestClock().read)
    for key in ["k1", "k2", "k3"] { _ = limiter.take(key: key) }
    // A refused request is a use too: a key being refused is the one to keep.
    #expect(!limiter.take(key: "k1").isAllowed)
    _ = limiter.take(key: "k4")
    #expect(limiter.tokens(for: "k2") == nil)
    #expect(limiter.tokens(for: "k1") == 0 && limiter.tokens(for: "k3") == 0 && limiter.tokens(for: "k4") == 0)
  }

  @Test("an abuser's empty bucket survives a flood of new keys, so churn never hands it a fresh burst")
  func hotKeySurvivesChurn() {
    let clock = SetTestClock()
    let limiter = RateLimiter(capacity: 10, refillPerSecond: 1, maxKeys: 100, clock: clock.read)
    #expect(limiter.take(key: "abuser", cost: 10).isAllowed)
    var admitted = 0
    for i in 1...10_000 {
      clock.set(Double(i) / 1_000)
      _ = limiter.take(key: "visitor\(i)")
      // Rarely enough that least-recently-used eviction alone would forget it.
      if i % 500 == 0, limiter.take(key: "abuser").isAllowed { admitted += 1 }
      #expect(limiter.trackedKeys <= 100)
    }
    // 10 s at 1 token/s: at most the 10 tokens that refilled, never another burst of 10.
    #expect(admitted <= 10)
    #expect(limiter.tokens(for: "abuser") != nil)
  }

  @Test("the same holds with the clock stopped, when no bucket is ever full")
  func hotKeySurvivesChurnWithoutRefill() {
    let limiter = RateLimiter(capacity: 10, refillPerSecond: 1, maxKeys: 100, clock: SetTestClock().read)
    #expect(limiter.take(key: "abuser", cost: 10).isAllowed)
    for i in 1...10_000 {
      _ = limiter.take(key: "visitor\(i)")
      if i % 500 == 0 { #expect(!limiter.take(key: "abuser").isAllowed) }
    }
    #expect(limiter.tokens(for: "abuser") == 0)
  }

  @Test("many tasks taking from one key admit exactly capacity plus what refilled, never more")
  func concurrentTakers() async {
    let clock = SetTestClock()
    let limiter = RateLimiter(capacity: 50, refillPerSecond: 10, maxKeys: 10, clock: clock.read)
    let admitted = await withTaskGroup(of: Int.self) { group in
      for _ in 0..<8 {
        group.addTask {
          var admitted = 0
          for _ in 0..<300 {
            if limiter.take(key: "shared").isAllowed { admitted += 1 }
            await Task.yield()
          }
          return admitted
        }
      }
      group.addTask {
        // One second passes, in milliseconds, while the takers run.
        for ms in 1...1_000 {
          clock.set(Double(ms) / 1_000)
          await Task.yield()
        }
        return 0
      }
      return await group.reduce(0, +)
    }
    clock.set(1)
    #expect(admitted <= 60)
    // Tokens are conserved: whatever the takers did not spend is still there.
    var drained = 0
    while limiter.take(key: "shared").isAllowed { drained += 1 }
    #expect(admitted + drained == 60)
  }

  @Test("a refund restores a token, and is ignored for a key not remembered")
  func refund() {
    let limiter = RateLimiter(capacity: 2, refillPerSecond: 1, maxKeys: 10, clock: SetTestClock().read)
    _ = limiter.take(key: "a", cost: 2)
    limiter.refund(key: "a")
    #expect(limiter.tokens(for: "a") == 1)
    limiter.refund(key: "nobody")
    #expect(limiter.trackedKeys == 1)
  }

  @Test("the monotonic clock starts near 0 and does not go back")
  func monotonicSeconds() {
    let clock = RateLimiter.monotonicSeconds()
    let first = clock()
    let second = clock()
    #expect(first >= 0 && first < 1)
    #expect(second >= first)
  }
}
