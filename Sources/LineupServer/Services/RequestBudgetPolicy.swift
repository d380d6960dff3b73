import LineupCore

/// Turns the caller's deadline (from the request scope) into the domain's `RequestBudget`
/// with the configured per-call cap and safety margin.
struct RequestBudgetPolicy: Sendable {
  var maxStoreWait: Duration
  var safetyMargin: Duration

  func budget(deadline: ContinuousClock.Instant?) -> RequestBudget {
    var budget = RequestBudget(rpcDeadline: deadline)
    budget.maxStoreWait = maxStoreWait
    budget.safetyMargin = safetyMargin
    return budget
  }

  /// Writes that must be durable (ingestion) are not capped by the serving budget: they get
  /// the caller's whole deadline less the margin, or 5 s when it sent none.
  func writeDeadline(deadline: ContinuousClock.Instant?) -> ContinuousClock.Instant {
    deadline.map { $0 - safetyMargin } ?? .now + .seconds(5)
  }
}
