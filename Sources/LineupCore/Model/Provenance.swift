/// How a response was produced. Every served slate carries one.
package struct Provenance: Sendable, Equatable {
  /// MODEL, CACHE or FALLBACK.
  package enum Source: Sendable, Equatable {
    case model
    case cache
    case fallback
  }

  /// Why the fallback baseline answered.
  package enum FallbackReason: Sendable, Equatable {
    /// The RPC only serves baselines, or this deployment has no personalized pipeline.
    case baselineOnly
    case noCandidates
    case storeUnavailable
    case breakerOpen
    case deadline
    case flagOff
    case shadow
  }

  package var source: Source
  package var fallbackReason: FallbackReason?
  package var fallbackLevel: FallbackLevel?
  package var cacheHit: Bool
  package var modelVersion: String
  package var variant: String
  package var requestID: String
  /// How long the caller may cache the answer.
  package var ttlSeconds: Int
  package var guardrails: [GuardrailReport]
  /// Seconds since the Unix epoch.
  package var computedAt: Double
  /// The decision of the flag governing the capability, when one does.
  package var flag: FlagEvaluation?
  /// The candidate-source flags' decisions for a personalized answer (for metrics; not on the
  /// wire, and not kept in the response cache).
  package var sourceFlags: [FlagEvaluation] = []

  package init(
    source: Source,
    fallbackReason: FallbackReason? = nil,
    fallbackLevel: FallbackLevel? = nil,
    cacheHit: Bool = false,
    modelVersion: String,
    variant: String = "",
    requestID: String,
    ttlSeconds: Int,
    guardrails: [GuardrailReport] = [],
    computedAt: Double
  ) {
    self.source = source
    self.fallbackReason = fallbackReason
    self.fallbackLevel = fallbackLevel
    self.cacheHit = cacheHit
    self.modelVersion = modelVersion
    self.variant = variant
    self.requestID = requestID
    self.ttlSeconds = ttlSeconds
    self.guardrails = guardrails
    self.computedAt = computedAt
  }
}

/// What one guardrail did to a slate.
package struct GuardrailReport: Sendable, Equatable {
  package var name: String
  package var adjustments: Int
  package var satisfied: Bool
  package var detail: String

  package init(name: String, adjustments: Int, satisfied: Bool, detail: String) {
    self.name = name
    self.adjustments = adjustments
    self.satisfied = satisfied
    self.detail = detail
  }
}
