/// How RecordInteractions turns events into stored signals. Defaults are documented here and
/// in docs/redis-keys.md; every store applies the same numbers.
package struct IngestionSettings: Sendable, Equatable {
  /// Popularity weight of one event of each type before time decay.
  package var typeWeights: [InteractionType: Double] = [
    .view: 1, .like: 2, .gift: 5, .joinLive: 2, .battleJoin: 2, .follow: 3, .purchase: 8,
  ]
  /// A view earns up to this much extra weight, one point per `watchSecondsPerPoint` watched,
  /// so a 2-second scroll-past counts less than a watched stream.
  package var maxWatchBonus = 2.0
  package var watchSecondsPerPoint = 30.0
  /// Popularity halves every this many seconds (forward time decay). Default 12 h.
  package var popularityHalfLife = 12.0 * 3_600
  /// The user's most recent items that each new event co-visits with. Default 5: each event
  /// costs one count per window item, and the nearest items say the most.
  package var coVisitationWindow = 5
  /// Items kept per item's co-visitation set (lowest counts trimmed). Default 200.
  package var coVisitationCap = 200
  /// Co-visitation sets expire this long after their last update. Default 30 days.
  package var coVisitationTTL = 30 * 86_400
  /// Recently-seen items kept per user (oldest trimmed). Default 500.
  package var recentlySeenCap = 500
  /// A user's recently-seen set expires this long after their last interaction. Default
  /// 30 days.
  package var recentlySeenTTL = 30 * 86_400
  /// An event id is remembered for de-duplication this long. Default 1 hour: far longer than
  /// a client's retry window, while memory stays bounded — each remembered id costs about
  /// 40 bytes in Redis (one hash per user and window) and is kept one to two windows, so
  /// 1,000 events/s with this default is about 150–300 MB (`--dedupe-window-sec`).
  package var dedupeTTL = 3_600
  /// A claimed event id that was never completed (the writer died) is released after this
  /// long, so a retry can record it. Default 30 s.
  package var pendingClaimTTL = 30
  /// The events stream is trimmed to about this many entries. Default 1,000,000.
  package var eventsStreamMaxLength = 1_000_000

  package init() {}

  /// The popularity weight of one event (before decay).
  package func weight(of event: Interaction) -> Double {
    var weight = typeWeights[event.type] ?? 1
    if event.type == .view, watchSecondsPerPoint > 0 {
      weight += min(maxWatchBonus, event.watchSeconds / watchSecondsPerPoint)
    }
    return weight
  }
}
