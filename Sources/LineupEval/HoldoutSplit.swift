/// A time split of an interaction log: everything before the cut is history the server
/// learns from; what each user did after it is what a good slate should have predicted.
package struct HoldoutSplit: Sendable {
  /// Events before `cut`, in time order: loaded through RecordInteractions.
  package var train: [EvalEvent]
  /// Seconds since the epoch: the time of the first held-out event.
  package var cut: Double
  /// Per evaluated user, the distinct items they interacted with at or after the cut and
  /// not before it. Users with no history before the cut (cold) or nothing new after it
  /// are left out.
  package var relevant: [String: Set<String>]
  /// Per user, the distinct items of their history (the slate must not repeat them).
  package var history: [String: Set<String>]
  /// Users with held-out items but no history: cold at the cut.
  package var coldUsers: Int

  /// Splits `events` (sorted by time) so that the newest `holdoutShare` of them is held out.
  package init(events: [EvalEvent], holdoutShare: Double) {
    let trainCount = min(events.count, max(0, Int((Double(events.count) * (1 - holdoutShare)).rounded())))
    train = Array(events.prefix(trainCount))
    cut = trainCount < events.count ? events[trainCount].timestamp : .infinity
    var history: [String: Set<String>] = [:]
    for event in train { history[event.userID, default: []].insert(event.itemID) }
    var relevant: [String: Set<String>] = [:]
    var cold = Set<String>()
    for event in events.dropFirst(trainCount) {
      guard let seen = history[event.userID] else {
        cold.insert(event.userID)
        continue
      }
      if !seen.contains(event.itemID) { relevant[event.userID, default: []].insert(event.itemID) }
    }
    self.relevant = relevant
    self.history = history
    self.coldUsers = cold.count
  }
}
