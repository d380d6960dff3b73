/// The reconnect delay every Lineup Redis connection keeper uses: exponential from `initial`,
/// capped at `maximum`, each delay jittered to 50–100% so replicas that lost the same server
/// do not all knock on it in the same millisecond.
struct ReconnectBackoff: Sendable {
  var initial: Duration
  var maximum: Duration

  /// The delay before the next attempt after `failures` failed ones in a row.
  func delay(afterFailures failures: Int) -> Duration {
    let exponent = min(max(failures - 1, 0), 16)
    return min(initial * (1 << exponent), maximum) * Double.random(in: 0.5...1.0)
  }
}
