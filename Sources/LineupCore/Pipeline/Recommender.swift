package import Logging

/// The domain entry point for slates: takes validated requests and answers with explained,
/// provenance-stamped slates. In this build every slate comes from the fallback ladder; the
/// personalized pipeline (candidates, ranking, guardrails) plugs in here later.
package struct Recommender: Sendable {
  private let fallback: FallbackDataHolder
  private let popularity: (any PopularityStore)?
  private let ttls: ResponseTTLs
  private let now: @Sendable () -> Double

  /// - Parameters:
  ///   - fallback: the reloadable fallback data.
  ///   - popularity: live popularity counters (the ladder's first rung), if any.
  ///   - now: seconds since the Unix epoch; injected so tests control time.
  package init(
    fallback: FallbackDataHolder,
    popularity: (any PopularityStore)?,
    ttls: ResponseTTLs = ResponseTTLs(),
    now: @escaping @Sendable () -> Double
  ) {
    self.fallback = fallback
    self.popularity = popularity
    self.ttls = ttls
    self.now = now
  }

  /// A slate for one user. The personalized pipeline is not part of this build, so the
  /// answer is the baseline, and provenance says so (FALLBACK, reason BASELINE_ONLY).
  package func recommendations(_ request: RecommendationRequest, requestID: String, logger: Logger) async -> Slate {
    let ladder = FallbackLadder(data: fallback.current, live: popularity)
    let result = await ladder.rank(country: request.context.country, limit: request.limit, excluding: request.excludedItemIDs)
    logLiveFailure(result, logger: logger)
    return slate(result, reason: .baselineOnly, data: ladder.data, ttl: ttls.recommendations, requestID: requestID)
  }

  /// What is popular in a country: the baseline itself.
  package func trending(_ request: TrendingRequest, requestID: String, logger: Logger) async -> Slate {
    let ladder = FallbackLadder(data: fallback.current, live: popularity)
    let result = await ladder.rank(country: request.context.country, limit: request.limit, category: request.category)
    logLiveFailure(result, logger: logger)
    return slate(result, reason: .baselineOnly, data: ladder.data, ttl: ttls.trending, requestID: requestID)
  }

  private func logLiveFailure(_ result: FallbackLadder.Result, logger: Logger) {
    if let failure = result.liveFailure {
      logger.warning("live popularity failed; served from the files", metadata: ["error": "\(failure)"])
    }
  }

  private func slate(
    _ result: FallbackLadder.Result,
    reason: Provenance.FallbackReason,
    data: FallbackData,
    ttl: Int,
    requestID: String
  ) -> Slate {
    Slate(
      items: result.items,
      provenance: Provenance(
        source: .fallback,
        fallbackReason: reason,
        fallbackLevel: result.level,
        modelVersion: data.version,
        requestID: requestID,
        ttlSeconds: ttl,
        computedAt: now()
      )
    )
  }
}
