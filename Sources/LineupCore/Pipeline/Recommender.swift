import Foundation
package import Logging

/// The domain entry point for slates: takes validated requests and answers with explained,
/// provenance-stamped slates.
///
/// GetRecommendations: one store read fetches the user's cached answer and model candidates
/// together; a hit is served as CACHE, candidates become a MODEL slate (cached write-behind),
/// and everything else — a cold user, a failing store, too little deadline left — is served
/// from the fallback ladder with the reason in provenance. Concurrent requests for the same
/// cache key share one computation (single flight). The full ranking pipeline (sources,
/// filters, guardrails) replaces the interim model slate in `ModelSlate`.
package struct Recommender: Sendable {
  private let fallback: FallbackDataHolder
  private let catalog: CatalogHolder
  private let store: (any LineupStore)?
  private let codec: (any SlateCodec)?
  private let writeBehind: WriteBehindQueue?
  private let ttls: TTLBudgets
  private let now: @Sendable () -> Double
  private let singleFlight = SingleFlight<ResponseCacheKey, Slate>()

  /// - Parameters:
  ///   - fallback: the reloadable fallback data.
  ///   - catalog: the in-memory catalog (files + ingested items).
  ///   - store: the shared store (live popularity, user state, response cache), if any.
  ///   - codec: encodes slates for the response cache; nil disables caching.
  ///   - writeBehind: where cache fills run, off the request path; nil disables caching.
  ///   - now: seconds since the Unix epoch; injected so tests control time.
  package init(
    fallback: FallbackDataHolder,
    catalog: CatalogHolder,
    store: (any LineupStore)?,
    codec: (any SlateCodec)? = nil,
    writeBehind: WriteBehindQueue? = nil,
    ttls: TTLBudgets = TTLBudgets(),
    now: @escaping @Sendable () -> Double
  ) {
    self.fallback = fallback
    self.catalog = catalog
    self.store = store
    self.codec = codec
    self.writeBehind = writeBehind
    self.ttls = ttls
    self.now = now
  }

  /// A slate for one user.
  package func recommendations(
    _ request: RecommendationRequest,
    budget: RequestBudget = RequestBudget(),
    requestID: String,
    logger: Logger
  ) async -> Slate {
    guard let store else {
      return await fallbackSlate(request, reason: .baselineOnly, liveDeadline: nil, requestID: requestID, logger: logger)
    }
    guard let deadline = budget.storeDeadline() else {
      return await fallbackSlate(request, reason: .deadline, liveDeadline: nil, requestID: requestID, logger: logger)
    }
    let key = ResponseCacheKey.recommendations(userID: request.userID, fingerprint: request.cacheFingerprint)
    var (slate, _) = await singleFlight.run(key) {
      await self.compute(request, key: key, store: store, deadline: deadline, requestID: requestID, logger: logger)
    }
    // A follower shares the leader's slate but is its own request.
    slate.provenance.requestID = requestID
    return slate
  }

  /// What is popular in a country: the baseline itself.
  package func trending(_ request: TrendingRequest, budget: RequestBudget = RequestBudget(), requestID: String, logger: Logger) async -> Slate {
    let ladder = FallbackLadder(data: fallback.current, catalog: catalog.items, live: store)
    let result = await ladder.rank(
      country: request.context.country, limit: request.limit, category: request.category, liveDeadline: budget.storeDeadline())
    logLiveFailure(result, logger: logger)
    return slate(result, reason: .baselineOnly, data: ladder.data, ttl: ttls.trending, requestID: requestID)
  }

  private func compute(
    _ request: RecommendationRequest,
    key: ResponseCacheKey,
    store: any LineupStore,
    deadline: ContinuousClock.Instant,
    requestID: String,
    logger: Logger
  ) async -> Slate {
    let state: UserState
    do {
      state = try await store.userState(
        UserStateQuery(
          userID: request.userID,
          candidateLimit: ModelSlate.candidateLimit(for: request),
          recentLimit: 0,
          cacheKey: codec == nil ? nil : key
        ),
        deadline: deadline
      )
    } catch {
      logger.warning("user state read failed; serving the baseline", metadata: ["error": "\(error)"])
      // The store just failed: do not wait on it again for the live rung.
      return await fallbackSlate(request, reason: .storeUnavailable, liveDeadline: nil, requestID: requestID, logger: logger)
    }
    if let bytes = state.cachedResponse, let codec {
      if var cached = codec.decode(bytes) {
        cached.provenance.source = .cache
        cached.provenance.cacheHit = true
        return cached
      }
      logger.warning("cached response does not decode; recomputing")
    }
    guard let candidates = state.candidates, !candidates.items.isEmpty else {
      return await fallbackSlate(request, reason: .noCandidates, liveDeadline: deadline, requestID: requestID, logger: logger)
    }
    let catalog = catalog.items
    var items = ModelSlate.items(candidates, request: request, catalog: catalog)
    if items.count < request.limit {
      // Too few servable candidates: the baseline fills the rest, each item saying why.
      let filler = await FallbackLadder(data: fallback.current, catalog: catalog, live: store).rank(
        country: request.context.country, limit: request.limit - items.count,
        excluding: request.excludedItemIDs.union(items.map(\.item.id)), liveDeadline: deadline)
      items += filler.items
    }
    let slate = Slate(
      items: items,
      provenance: Provenance(
        source: .model, modelVersion: candidates.modelVersion, requestID: requestID,
        ttlSeconds: ttls.recommendations, computedAt: now())
    )
    fillCache(key, slate: slate, store: store, logger: logger)
    return slate
  }

  /// Queues the cache write; the request never waits for it.
  private func fillCache(_ key: ResponseCacheKey, slate: Slate, store: any LineupStore, logger: Logger) {
    guard let codec, let writeBehind else { return }
    let ttl = ttls.jittered(ttls.recommendations)
    writeBehind.submit {
      do {
        try await store.cacheResponse(codec.encode(slate), for: key, ttlSeconds: ttl, deadline: .now + .seconds(1))
      } catch {
        logger.debug("response cache fill failed", metadata: ["error": "\(error)"])
      }
    }
  }

  private func fallbackSlate(
    _ request: RecommendationRequest,
    reason: Provenance.FallbackReason,
    liveDeadline: ContinuousClock.Instant?,
    requestID: String,
    logger: Logger
  ) async -> Slate {
    let ladder = FallbackLadder(data: fallback.current, catalog: catalog.items, live: store)
    let result = await ladder.rank(
      country: request.context.country, limit: request.limit, excluding: request.excludedItemIDs, liveDeadline: liveDeadline)
    logLiveFailure(result, logger: logger)
    return slate(result, reason: reason, data: ladder.data, ttl: ttls.recommendations, requestID: requestID)
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

extension RecommendationRequest {
  /// Identifies every request field that changes the answer (not the user id, which is in
  /// the cache key already): country, platform, limit and the excluded ids.
  package var cacheFingerprint: String {
    var hash = FNV1a64()
    hash.update(context.country?.value ?? "-")
    hash.update("|\(context.platform.rawValue)|\(limit)|")
    for id in excludedItemIDs.sorted() {
      hash.update(id)
      hash.update("\u{0}")
    }
    return hash.hex
  }
}
