/// The shared control state every replica obeys: flags by name and operator overrides of
/// breakers by name (a breaker absent here runs on AUTO). Stored in the shared store and
/// re-read by every replica (`ControlSync`).
package struct ControlSnapshot: Sendable, Equatable {
  package var flags: [String: FeatureFlag]
  package var breakerOverrides: [String: BreakerOverride]
  /// Flags the store holds but that do not decode (written by hand, or by a newer version):
  /// replicas keep their last known value rather than fall back to a default.
  package var unreadableFlags: Set<String>

  package init(flags: [String: FeatureFlag] = [:], breakerOverrides: [String: BreakerOverride] = [:], unreadableFlags: Set<String> = []) {
    self.flags = flags
    self.breakerOverrides = breakerOverrides
    self.unreadableFlags = unreadableFlags
  }
}

/// One audited change: who, when, what, the value before and after (JSON), and why.
package struct AuditEntry: Sendable, Equatable {
  /// Assigned by the store ("<ms>-<seq>", increasing with time); "" before it is stored.
  package var id: String
  package var actor: String
  /// Seconds since the epoch.
  package var at: Double
  /// "flag.set", "breaker.override", "fallback.reload", "user.delete".
  package var action: String
  package var target: String
  package var oldValue: String
  package var newValue: String
  package var reason: String

  package init(id: String = "", actor: String, at: Double, action: String, target: String, oldValue: String, newValue: String, reason: String) {
    self.id = id
    self.actor = actor
    self.at = at
    self.action = action
    self.target = target
    self.oldValue = oldValue
    self.newValue = newValue
    self.reason = reason
  }
}

/// The circuit breakers of a replica, one per dependency.
package enum BreakerCatalog {
  /// Reads of user state, candidates, co-visitation and the response cache.
  package static let redisRead = "redis.read"
  /// RecordInteractions' writes.
  package static let redisWrite = "redis.write"
  /// The pricing policy and user-feature reads of GetPrice.
  package static let pricingPolicy = "pricing.policy"

  /// The model's candidates, read with the user's state: a reply that is not a candidate
  /// list (written wrong by the model pipeline) fails this breaker, not `redis.read`.
  package static let sourceModel = "source.model"
  /// The co-visitation reads of a personalized slate.
  package static let sourceCoVisitation = "source.covisitation"
  /// The country's live popularity (files' popularity is served while it is open).
  package static let sourceTrending = "source.trending"

  package static let names = [redisRead, redisWrite, pricingPolicy, sourceModel, sourceCoVisitation, sourceTrending]
}
