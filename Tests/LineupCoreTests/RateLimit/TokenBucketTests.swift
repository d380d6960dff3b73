import LineupCore
import Testing

@Suite("Token bucket")
struct TokenBucketTests {
  @Test("a full bucket admits its burst, then refuses until a token has refilled")
  func burstThenRefusal() {
    var bucket = TokenBucket(capacity: 5, refillPerSecond: 1, now: 0)
    let left = (0..<5).map { _ in bucket.take(1, now: 0).remaining }
    #expect(left == [4, 3, 2, 1, 0])
    #expect(bucket.take(1, now: 0) == .limited(retryAfterSeconds: 1))
  }

  @Test(
    "at N per minute, the refused call is told 60/N s, and after exactly that wait one more is admitted",
    arguments: [100, 60, 7, 1_000, 6_000])
  func exactRefill(perMinute: Int) {
    let rate = Double(perMinute) / 60
    var bucket = TokenBucket(capacity: Double(perMinute), refillPerSecond: rate, now: 0)
    for _ in 0..<perMinute { #expect(bucket.take(1, now: 0).isAllowed) }
    let wait = bucket.take(1, now: 0).retryAfter
    #expect(isNear(wait, 60 / Double(perMinute)))
    // Waiting the advertised time is enough, even though 1/rate is not exact in binary.
    #expect(bucket.take(1, now: wait!).isAllowed)
    #expect(isNear(bucket.take(1, now: wait!).retryAfter, 60 / Double(perMinute)))
  }

  @Test("100 per minute: refused with 0.6 s after the 101st call, 0.3 s halfway, admitted at 0.6 s")
  func hundredPerMinute() {
    var bucket = TokenBucket(capacity: 100, refillPerSecond: 100.0 / 60, now: 0)
    for _ in 0..<100 { _ = bucket.take(1, now: 0) }
    #expect(isNear(bucket.take(1, now: 0).retryAfter, 0.6))
    #expect(isNear(bucket.take(1, now: 0.3).retryAfter, 0.3))
    #expect(bucket.take(1, now: 0.6).isAllowed)
    #expect(!bucket.take(1, now: 0.6).isAllowed)
  }

  @Test("refill accrued in many small steps equals one step of the same length")
  func refillInSteps() {
    var stepped = TokenBucket(capacity: 10, refillPerSecond: 100.0 / 60, now: 0)
    var once = stepped
    _ = stepped.take(10, now: 0)
    _ = once.take(10, now: 0)
    for step in 1...600 { _ = stepped.take(0, now: Double(step) / 1_000) }
    #expect(isNear(stepped.tokens(at: 0.6), once.tokens(at: 0.6)))
    #expect(stepped.take(1, now: 0.6).isAllowed)
  }

  @Test("a cost above capacity is never satisfiable: refused with a full refill period, spending nothing")
  func costAboveCapacity() {
    var bucket = TokenBucket(capacity: 10, refillPerSecond: 2, now: 0)
    #expect(bucket.take(11, now: 0) == .limited(retryAfterSeconds: 5))
    // Even after any wait.
    #expect(bucket.take(11, now: 1_000) == .limited(retryAfterSeconds: 5))
    #expect(bucket.take(10, now: 1_000) == .allowed(remaining: 0))
  }

  @Test("a refused cost waits for the whole cost, not one token")
  func partialCost() {
    var bucket = TokenBucket(capacity: 4, refillPerSecond: 2, now: 0)
    _ = bucket.take(3, now: 0)
    #expect(bucket.take(3, now: 0) == .limited(retryAfterSeconds: 1))
    #expect(bucket.take(3, now: 1) == .allowed(remaining: 0))
  }

  @Test("a clock that steps back grants nothing, now or later")
  func clockStepsBack() {
    var bucket = TokenBucket(capacity: 2, refillPerSecond: 1, now: 10)
    _ = bucket.take(2, now: 10)
    #expect(!bucket.take(1, now: 5).isAllowed)
    #expect(bucket.lastRefill == 10)
    #expect(isNear(bucket.tokens(at: 10.5), 0.5))
  }

  @Test("a refund gives tokens back but never beyond capacity; a cost of 0 is always admitted")
  func refundAndZeroCost() {
    var bucket = TokenBucket(capacity: 3, refillPerSecond: 1, now: 0)
    _ = bucket.take(3, now: 0)
    #expect(bucket.take(0, now: 0) == .allowed(remaining: 0))
    bucket.refund(1, now: 0)
    #expect(bucket.tokens == 1)
    bucket.refund(10, now: 0)
    #expect(bucket.tokens == 3 && bucket.isFull(at: 0))
  }
}
