/// A rate limiter's answer to one request.
package enum RateDecision: Sendable, Equatable {
  /// Admitted; this many tokens are left afterwards (what a remaining-quota header reports).
  case allowed(remaining: Double)
  /// Refused; in this many seconds the bucket will hold the request's cost, unless other
  /// requests take the tokens first.
  case limited(retryAfterSeconds: Double)

  package var isAllowed: Bool {
    if case .allowed = self { return true }
    return false
  }
}

/// One key's token bucket: it holds up to `capacity` tokens, gains `refillPerSecond` of them
/// continuously, and admits a request that it can pay for. It has no clock of its own — the
/// caller passes `now`, in seconds on a monotonic clock — so it is tested with plain numbers
/// and is shared only behind the lock of whoever owns it (`RateLimiter`).
package struct TokenBucket: Sendable, Equatable {
  /// Most tokens the bucket holds: the burst a key gets after idling.
  package let capacity: Double
  /// Tokens gained per second, continuously rather than in whole-second steps.
  package let refillPerSecond: Double
  /// Tokens held as of `lastRefill`.
  package private(set) var tokens: Double
  /// When `tokens` was last brought up to date, in the caller's seconds.
  package private(set) var lastRefill: Double

  /// Slack when comparing token counts. Rates such as 100 per minute (1.666… per second) are
  /// not exact in binary, so a caller who waits exactly the advertised retry-after could find
  /// 0.9999999999 tokens and be refused again; a billionth of a token is far below any cost
  /// that means something.
  package static let tolerance = 1e-9

  /// A full bucket: a key seen for the first time gets its whole burst.
  package init(capacity: Double, refillPerSecond: Double, now: Double) {
    precondition(capacity.isFinite && capacity > 0, "a token bucket's capacity must be finite and above 0")
    precondition(
      refillPerSecond.isFinite && refillPerSecond > 0, "a token bucket's refill rate must be finite and above 0")
    self.capacity = capacity
    self.refillPerSecond = refillPerSecond
    self.tokens = capacity
    self.lastRefill = now
  }

  /// The tokens the bucket would hold at `now`, without changing it.
  package func tokens(at now: Double) -> Double {
    // A clock that steps backwards grants nothing; `refill` does not move `lastRefill` back
    // either, so the step cannot be cashed in later.
    let elapsed = now > lastRefill ? now - lastRefill : 0
    return min(capacity, tokens + elapsed * refillPerSecond)
  }

  /// Whether the bucket has refilled to capacity by `now`. A full bucket carries no
  /// information: forgetting it and starting a fresh one later gives the same answers.
  package func isFull(at now: Double) -> Bool {
    tokens(at: now) >= capacity - Self.tolerance
  }

  /// Spends `cost` tokens if the bucket holds them at `now`; otherwise spends nothing and says
  /// how long until it will.
  ///
  /// A cost above `capacity` can never be paid. It is refused without spending anything, with
  /// a retry-after of a whole refill period (`capacity / refillPerSecond`, empty to full) —
  /// not 0, which would invite a client that honours retry-after to spin.
  package mutating func take(_ cost: Double, now: Double) -> RateDecision {
    precondition(cost.isFinite && cost >= 0, "a cost must be a finite, non-negative number of tokens")
    refill(now: now)
    if cost > capacity + Self.tolerance {
      return .limited(retryAfterSeconds: capacity / refillPerSecond)
    }
    if tokens + Self.tolerance >= cost {
      // The tolerance may leave a hair below zero; clamp so it is not carried forward.
      tokens = max(0, tokens - cost)
      return .allowed(remaining: tokens)
    }
    return .limited(retryAfterSeconds: (cost - tokens) / refillPerSecond)
  }

  /// Gives back `cost` tokens (never beyond capacity), for a request this bucket admitted
  /// but something else then refused.
  package mutating func refund(_ cost: Double, now: Double) {
    precondition(cost.isFinite && cost >= 0, "a refund must be a finite, non-negative number of tokens")
    refill(now: now)
    tokens = min(capacity, tokens + cost)
  }

  private mutating func refill(now: Double) {
    tokens = tokens(at: now)
    if now > lastRefill { lastRefill = now }
  }
}
