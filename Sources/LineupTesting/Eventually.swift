/// Waits for a condition that becomes true asynchronously (a pool reconnecting, a server
/// coming up): polls every 10 ms for at most `timeout`, then returns the condition's last
/// value. Tests assert on the result, so a condition that never holds fails, not hangs.
package func eventually(
  timeout: Duration = .seconds(5),
  _ condition: () -> Bool
) async throws -> Bool {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if condition() { return true }
    try await Task.sleep(for: .milliseconds(10))
  }
  return condition()
}

/// The same for a condition that has to ask something (an RPC): polled every 50 ms.
package func eventually(
  timeout: Duration = .seconds(5),
  _ condition: () async throws -> Bool
) async throws -> Bool {
  let deadline = ContinuousClock.now + timeout
  while ContinuousClock.now < deadline {
    if try await condition() { return true }
    try await Task.sleep(for: .milliseconds(50))
  }
  return try await condition()
}
