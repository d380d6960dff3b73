import LineupCore
import Synchronization

/// Seconds that a test sets by hand, for an injected clock (rate limiters, breakers): no test sleeps.
final class SetTestClock: Sendable {
  private let seconds: Mutex<Double>

  init(_ start: Double = 0) { seconds = Mutex(start) }

  var now: Double { seconds.withLock { $0 } }

  func set(_ value: Double) { seconds.withLock { $0 = value } }

  /// What a limiter or a control plane is given as its `clock`.
  var read: @Sendable () -> Double { { self.now } }
}

extension RateDecision {
  /// The retry-after of a refusal, or nil when the request was admitted.
  var retryAfter: Double? {
    if case .limited(let seconds) = self { return seconds }
    return nil
  }

  /// The tokens left after an admission, or nil when the request was refused.
  var remaining: Double? {
    if case .allowed(let tokens) = self { return tokens }
    return nil
  }
}

/// Whether a time or token count agrees with the expected one to well within floating-point
/// noise (and is there at all).
func isNear(_ value: Double?, _ expected: Double) -> Bool {
  guard let value else { return false }
  return abs(value - expected) < 1e-6
}
