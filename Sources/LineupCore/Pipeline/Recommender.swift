import Foundation
package import Logging

/// The domain entry point for slates: takes validated requests and answers with explained,
/// provenance-stamped slates.
///
/// GetRecommendations: one store read fetches the user's cached answer and newest seen items
/// together; a hit is served as CACHE. On a miss one more round trip, issued at once, reads
/// the model's candidates and the whole seen list, co-visitation of the newest items and the
/// country's live popularity side by side, and the `RankingPipeline` builds the slate (MODEL
/// when the model or co-visitation contributed; cached write-behind). Everything else — a
/// cold user, a failing store, too little deadline left — runs the same pipeline over the
/// baselines and is served as FALLBACK with the reason in provenance, guardrails included. Concurrent requests for the
/// same cache key share one computation (single flight).
package struct Recommender: Sendable {
  let fallback: FallbackDataHolder
  let catalog: CatalogHolder
  let store: (any LineupStore)?
  let codec: (any SlateCodec)?
  let writeBehind: WriteBehindQueue?
  let ttls: TTLBudgets
  let pipeline: RankingPipeline
  let now: @Sendable () -> Double
  /// Flags and breakers; nil runs every capability on, with no breaker.
  let control: ControlPlane?
  /// Answers read from the response cache, kept in process for a moment; nil: every
  /// request asks the store.
  let nearCache: NearCache<Slate>?
  let singleFlight = SingleFlight<ResponseCacheKey, Slate>()

  /// - Parameters:
  ///   - fallback: the reloadable fallback data.
  ///   - catalog: the in-memory catalog (files + ingested items).
  ///   - store: the shared store (live popularity, user state, response cache), if any.
  ///   - codec: encodes slates for the response cache; nil disables caching.
  ///   - writeBehind: where cache fills run, off the request path; nil disables caching.
  ///   - ranking: the pipeline's weights, exploration share and guardrails.
  ///   - nearCache: where response-cache hits are kept in process for a moment; nil keeps none.
  ///   - now: seconds since the Unix epoch; injected so tests control time.
  package init(
    fallback: FallbackDataHolder,
    catalog: CatalogHolder,
    store: (any LineupStore)?,
    codec: (any SlateCodec)? = nil,
    writeBehind: WriteBehindQueue? = nil,
    ttls: TTLBudgets = TTLBudgets(),
    ranking: RankingSettings = RankingSettings(),
    control: ControlPlane? = nil,
    nearCache: NearCache<Slate>? = nil,
    now: @escaping @Sendable () -> Double
  ) {
    self.control = control
    self.nearCache = nearCache
    self.fallback = fallback
    self.catalog = catalog
    self.store = store
    self.codec = codec
    self.writeBehind = writeBehind
    self.ttls = ttls
    self.pipeline = .standard(settings: ranking)
    self.now = now
  }

  /// A slate for one user.
  package func recommendations(
    _ request: RecommendationRequest,
    budget: RequestBudget = RequestBudget(),
    requestID: String,
    logger: Logger
  ) async -> Slate {
    let decision = control?.evaluate(FlagCatalog.recs, userID: request.userID, country: request.context.country?.value ?? "")
    var slate: Slate
    // A baseline served because of a flag still reads live popularity, unless the store's
    // breaker says not to wait on it.
    let liveDeadline = storeReadsRefused ? nil : budget.storeDeadline()
    switch decision?.result {
    case .off?:
      slate = await fallbackSlate(request, reason: .flagOff, liveDeadline: liveDeadline, requestID: requestID, logger: logger)
    case .shadow?:
      // The baseline answers; the personalized path runs off the critical path and is compared.
      let started = ContinuousClock.now
      slate = await fallbackSlate(request, reason: .shadow, liveDeadline: liveDeadline, requestID: requestID, logger: logger)
      shadowRun(request, served: slate, baselineTook: ContinuousClock.now - started, budget: budget, logger: logger)
    default:
      slate = await personalized(request, budget: budget, requestID: requestID, logger: logger)
    }
    slate.provenance.flag = decision
    slate.provenance.variant = decision?.variant ?? ""
    return slate
  }

  /// Whether the `redis.read` breaker refuses calls right now (looked at, not acquired).
  var storeReadsRefused: Bool {
    guard let state = control?.breaker(BreakerCatalog.redisRead)?.snapshot.state else { return false }
    return state == .open || state == .forcedOpen
  }

  /// The personalized path: the store behind the `redis.read` breaker (open → the baseline
  /// at once, the store not touched), single flight, the response cache.
  func personalized(_ request: RecommendationRequest, budget: RequestBudget, requestID: String, logger: Logger) async -> Slate {
    guard let store else {
      return await fallbackSlate(request, reason: .baselineOnly, liveDeadline: nil, requestID: requestID, logger: logger)
    }
    guard let deadline = budget.storeDeadline() else {
      return await fallbackSlate(request, reason: .deadline, liveDeadline: nil, requestID: requestID, logger: logger)
    }
    let started = ContinuousClock.now
    let (sourceFlags, sourcePermits) = sourcePlan(request)
    let key = ResponseCacheKey.recommendations(userID: request.userID, fingerprint: request.cacheFingerprint + sourceFlags.fingerprintSuffix)
    var slate: Slate
    let breaker = control?.breaker(BreakerCatalog.redisRead)
    // Looked up before the breaker is asked: a copy of the shared entry from a moment ago
    // touches no store, and serves even while the store's breaker is open.
    if let near = nearCache?.value(for: key) {
      slate = near
    } else {
      let permit = breaker?.acquire()
      if breaker != nil && permit == nil {
        return await fallbackSlate(request, reason: .breakerOpen, liveDeadline: nil, requestID: requestID, logger: logger)
      }
      (slate, _) = await singleFlight.run(key, deadline: deadline) {
        await self.compute(
          request, key: key, sourceFlags: sourceFlags, sourcePermits: sourcePermits, store: store, deadline: deadline, requestID: requestID,
          logger: logger)
      }
      if let breaker, let permit { breaker.record(permit, failed: slate.provenance.fallbackReason == .storeUnavailable) }
    }
    // Counted when they shaped the answer: not for the baseline a failed read fell back to.
    if slate.provenance.fallbackReason != .storeUnavailable {
      slate.provenance.sourceFlags = sourceFlags.evaluations
      shadowSources(request, sourceFlags: sourceFlags, served: slate, servedTook: ContinuousClock.now - started, budget: budget, logger: logger)
    }
    // A follower shares the leader's slate but is its own request.
    slate.provenance.requestID = requestID
    return slate
  }

  /// Why `itemID` is (or is not) in the slate GetRecommendations would compute for this
  /// request now: the same reads and the same pipeline, never the response cache, so the
  /// factors are those of the current data.
  package func explain(
    _ request: RecommendationRequest,
    itemID: String,
    budget: RequestBudget = RequestBudget(),
    requestID: String,
    logger: Logger
  ) async -> Explanation {
    let (inputs, provenance) = await explanationInputs(request, budget: budget, logger: logger)
    let ranked = pipeline.rank(inputs)
    var stamped = provenance(ranked)
    stamped.requestID = requestID
    return Explanation(itemID: itemID, slate: ranked, inputs: inputs, settings: pipeline.settings, provenance: stamped)
  }

  /// What is popular in a country: the baseline itself, under the guardrails.
  package func trending(_ request: TrendingRequest, budget: RequestBudget = RequestBudget(), requestID: String, logger: Logger) async -> Slate {
    let snapshot = catalog.snapshot
    let ladder = FallbackLadder(data: fallback.current, catalog: snapshot.items, live: nil)
    let depth = max(request.limit * 3, 60)
    // The live read goes through the `source.trending` breaker, as everywhere else.
    var live: [PopularityEntry]?
    if let store, let deadline = budget.storeDeadline() {
      live = await liveTrending(
        in: request.context.country, limit: FallbackLadder.liveReadLimit(limit: depth, excluded: 0, category: request.category),
        store: store, deadline: deadline, logger: logger)
    }
    let result = ladder.rank(country: request.context.country, limit: depth, category: request.category, liveEntries: live)
    var policy = pipeline.settings.guardrails
    // One category asked for: spreading over categories is not what the caller wants.
    if request.category != nil { policy.minCategories = 1 }
    let (items, reports) = SlateSelector(policy: policy).select(result.items, size: request.limit)
    return Slate(
      items: items,
      provenance: fallbackProvenance(
        reason: .baselineOnly, level: result.level, data: ladder.data, ttl: ttls.trending, guardrails: reports, requestID: requestID))
  }

  func compute(
    _ request: RecommendationRequest,
    key: ResponseCacheKey,
    sourceFlags: SourceFlags,
    sourcePermits: SourceBreakerPermits,
    store: any LineupStore,
    deadline: ContinuousClock.Instant,
    requestID: String,
    logger: Logger
  ) async -> Slate {
    // A hit needs only the cache entry: the candidates are read on a miss, beside co-visitation.
    let (probe, rest) = userStateQuery(request, cacheKey: codec == nil ? nil : key, sourceFlags: sourceFlags)
      .splitForCacheProbe(seeds: pipeline.settings.coVisitationSeeds)
    let inputs: CandidateInputs
    let readStarted = ContinuousClock.now
    do {
      let state = try await userState(probe, sourcePermits: sourcePermits, store: store, deadline: deadline)
      if let bytes = state.cachedResponse, let codec {
        if var cached = codec.decode(bytes) {
          cached.provenance.source = .cache
          cached.provenance.cacheHit = true
          nearCache?.insert(cached, for: key, readStarted: readStarted)
          return cached
        }
        logger.warning("cached response does not decode; recomputing")
      }
      inputs = try await personalInputs(
        request, state: state, rest: remainder(rest, after: probe, found: state, sourcePermits: sourcePermits), sourceFlags: sourceFlags,
        sourcePermits: sourcePermits, store: store, deadline: deadline, logger: logger)
    } catch {
      logger.warning("user state read failed; serving the baseline", metadata: ["error": "\(error)"])
      // The store just failed: do not wait on it again for the live rung.
      return await fallbackSlate(request, reason: .storeUnavailable, liveDeadline: nil, requestID: requestID, logger: logger)
    }
    let ranked = pipeline.rank(inputs)
    let slate = Slate(items: ranked.items, provenance: provenance(of: ranked, inputs: inputs, requestID: requestID))
    if slate.provenance.source == .model && !inputs.incomplete { fillCache(key, slate: slate, store: store, logger: logger) }
    return slate
  }

  /// What the user-state read asks for: no model candidates when the model source is left out.
  func userStateQuery(_ request: RecommendationRequest, cacheKey: ResponseCacheKey?, sourceFlags: SourceFlags) -> UserStateQuery {
    UserStateQuery(
      userID: request.userID,
      candidateLimit: sourceFlags.disabled.contains(.model) ? 0 : pipeline.settings.modelCandidatesRead(for: request),
      recentLimit: pipeline.settings.recentItemsRead,
      cacheKey: cacheKey)
  }

  /// The user-state read, its model part reported to the `source.model` breaker. A read that
  /// fails as a whole is `redis.read`'s to count; the model's permit is then released.
  func userState(
    _ query: UserStateQuery, sourcePermits: SourceBreakerPermits, store: any UserStateStore, deadline: ContinuousClock.Instant
  ) async throws -> UserState {
    let state = try await store.userState(query, deadline: deadline)
    if query.candidateLimit > 0 { sourcePermits.record(.model, failed: state.modelCandidatesUnreadable) }
    return state
  }

  /// What a miss still reads after the cache probe `probe` found `probed`: the rest of the
  /// split query less what the probe showed is not there (`UserStateQuery.narrowed`), so a
  /// cold user's miss reads no more user state.
  func remainder(
    _ rest: UserStateQuery?, after probe: UserStateQuery, found probed: UserState, sourcePermits: SourceBreakerPermits
  ) -> UserStateQuery? {
    guard let rest else { return nil }
    let narrowed = rest.narrowed(after: probe, found: probed)
    if rest.candidateLimit > 0 && (narrowed?.candidateLimit ?? 0) == 0 {
      // The model's key was checked and is absent: an answer for the `source.model` breaker.
      sourcePermits.record(.model, failed: false)
    }
    return narrowed
  }

  /// The rest of a user-state read split by `UserStateQuery.splitForCacheProbe`, completing
  /// what the probe found (nil: the probe read it all).
  func userState(
    _ rest: UserStateQuery?, completing probed: UserState, sourcePermits: SourceBreakerPermits, store: any UserStateStore,
    deadline: ContinuousClock.Instant
  ) async throws -> UserState {
    guard let rest else { return probed }
    return probed.completed(by: try await userState(rest, sourcePermits: sourcePermits, store: store, deadline: deadline), of: rest)
  }

  /// The pipeline's inputs for a user whose state was read: the second (and last) round trip
  /// reads the rest of the user's state (`rest`, when the first read was only a cache
  /// probe), co-visitation of the newest items and the country's live popularity side by
  /// side. Co-visitation or popularity failing only drops that source; the rest of the user's
  /// state failing throws, like the first read.
  func personalInputs(
    _ request: RecommendationRequest, state probed: UserState, rest: UserStateQuery? = nil, sourceFlags: SourceFlags,
    sourcePermits: SourceBreakerPermits, store: any LineupStore, deadline: ContinuousClock.Instant, logger: Logger
  ) async throws -> CandidateInputs {
    let settings = pipeline.settings
    // A source left out (flag off, breaker open) is not read.
    let seeds = sourceFlags.disabled.contains(.coVisitation) ? [] : Array(probed.recentItems.prefix(settings.coVisitationSeeds))
    if !seeds.isEmpty { sourcePermits.startCall(.coVisitation) }
    let state: UserState
    let live: [PopularityEntry]?
    var coVisits: [String: [PopularityEntry]] = [:]
    if rest == nil && seeds.isEmpty {
      // Only the popularity read is left (a cold user's miss): awaited in place, since a child
      // task for a lone read only adds hops between threads.
      state = probed
      sourcePermits.release(.coVisitation)
      live = await liveTrending(request, store: store, deadline: deadline, logger: logger)
    } else {
      async let completed = userState(rest, completing: probed, sourcePermits: sourcePermits, store: store, deadline: deadline)
      async let liveRead = liveTrending(request, store: store, deadline: deadline, logger: logger)
      if !seeds.isEmpty {
        // Every seed in one read (one round trip): a task per seed cost a thread hop and a
        // socket write each, which on a cache miss outweighed the reads themselves.
        do {
          coVisits = try await store.coVisited(withEach: seeds, limit: settings.coVisitationDepth, deadline: deadline)
        } catch {
          logger.debug("co-visitation read failed", metadata: ["error": "\(error)"])
        }
        for seed in seeds where coVisits[seed] == nil { logger.debug("co-visitation read failed", metadata: ["item": "\(seed)"]) }
      }
      // One outcome for the request's co-visitation reads (counted before the user state's
      // read may throw).
      if seeds.isEmpty { sourcePermits.release(.coVisitation) } else { sourcePermits.record(.coVisitation, failed: seeds.contains { coVisits[$0] == nil }) }
      state = try await completed
      live = await liveRead
    }
    if state.modelCandidatesUnreadable {
      logger.warning("the user's model candidates do not read as candidates; serving without them", metadata: ["user": "\(request.userID)"])
    }
    let snapshot = catalog.snapshot
    var inputs = CandidateInputs(
      request: request, catalog: snapshot.items, model: state.candidates, recentItems: state.recentItems, coVisits: coVisits,
      liveTrending: live, fallback: fallback.current, newCreatorItems: snapshot.newCreatorItems)
    inputs.disabledSources = sourceFlags.disabled
    // A source that was meant to run but could not (unreadable candidates, a failed or refused
    // read) leaves a slate that must not be cached for the full TTL as if it were whole.
    inputs.incomplete =
      state.modelCandidatesUnreadable || seeds.contains { coVisits[$0] == nil }
      || (request.context.country != nil && !sourceFlags.disabled.contains(.trending) && inputs.liveTrending == nil)
    return inputs
  }

  /// The sources of this request: the candidate-source flags' decisions for its user, less
  /// the sources whose circuit breaker refuses, with the permits of those that may run
  /// (every source runs, unguarded, without a control plane).
  func sourcePlan(_ request: RecommendationRequest) -> (flags: SourceFlags, permits: SourceBreakerPermits) {
    var flags = SourceFlags()
    if let control {
      let country = request.context.country?.value ?? ""
      flags = SourceFlags.decide { control.evaluate($0, userID: request.userID, country: country) }
    }
    let permits = SourceBreakerPermits(control: control, skipping: flags.disabled)
    flags.leaveOut(permits.refused)
    return (flags, permits)
  }

  /// The request's country's live popularity at the pipeline's trending depth.
  func liveTrending(
    _ request: RecommendationRequest, store: any PopularityStore, deadline: ContinuousClock.Instant, logger: Logger
  ) async -> [PopularityEntry]? {
    await liveTrending(
      in: request.context.country, limit: pipeline.settings.trendingDepth(for: request), store: store, deadline: deadline, logger: logger)
  }

  /// A country's live popularity, nil when there is no country or the read fails. Behind the
  /// `source.trending` breaker: open, nil at once, and the files' popularity is served.
  func liveTrending(
    in country: CountryCode?, limit: Int, store: any PopularityStore, deadline: ContinuousClock.Instant, logger: Logger
  ) async -> [PopularityEntry]? {
    guard let country else { return nil }
    let read = { try await store.topItems(in: country, limit: limit, deadline: deadline) }
    do {
      guard let breaker = control?.breaker(BreakerCatalog.sourceTrending) else { return try await read() }
      return try await breaker.run(read)
    } catch is BreakerOpenError {
      return nil
    } catch {
      logLiveFailure(error, logger: logger)
      return nil
    }
  }

  /// Inputs and provenance for an explanation: the personal reads when the store answers,
  /// else the baselines with the reason GetRecommendations would give.
  func explanationInputs(
    _ request: RecommendationRequest, budget: RequestBudget, logger: Logger
  ) async -> (CandidateInputs, (RankedSlate) -> Provenance) {
    let reason: Provenance.FallbackReason
    if let store, let deadline = budget.storeDeadline() {
      do {
        let (sourceFlags, sourcePermits) = sourcePlan(request)
        let state = try await userState(
          userStateQuery(request, cacheKey: nil, sourceFlags: sourceFlags), sourcePermits: sourcePermits, store: store, deadline: deadline)
        let inputs = try await personalInputs(
          request, state: state, sourceFlags: sourceFlags, sourcePermits: sourcePermits, store: store, deadline: deadline, logger: logger)
        return (inputs, { self.provenance(of: $0, inputs: inputs, requestID: "") })
      } catch {
        reason = .storeUnavailable
      }
    } else {
      reason = store == nil ? .baselineOnly : .deadline
    }
    let inputs = baselineInputs(request, liveTrending: nil)
    return (inputs, { self.fallbackProvenance(reason: reason, level: $0.trendingLevel, guardrails: $0.guardrails, requestID: "") })
  }

  /// MODEL when a personal source (the model's candidates or co-visitation) proposed
  /// anything; otherwise the user is cold and the slate is the baseline (NO_CANDIDATES).
  func provenance(of ranked: RankedSlate, inputs: CandidateInputs, requestID: String) -> Provenance {
    guard !ranked.sources.isDisjoint(with: [.model, .coVisitation]) else {
      return fallbackProvenance(reason: .noCandidates, level: ranked.trendingLevel, guardrails: ranked.guardrails, requestID: requestID)
    }
    return Provenance(
      source: .model, modelVersion: inputs.model?.modelVersion ?? Self.coVisitationOnlyVersion, requestID: requestID,
      ttlSeconds: ttls.recommendations, guardrails: ranked.guardrails, computedAt: now())
  }

  /// Reported as the model version when only co-visitation personalized the slate.
  package static let coVisitationOnlyVersion = "co-visitation"

  /// Queues the cache write; the request never waits for it.
  func fillCache(_ key: ResponseCacheKey, slate: Slate, store: any LineupStore, logger: Logger) {
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

  /// The pipeline over the baselines alone (live popularity when `liveDeadline` allows).
  func fallbackSlate(
    _ request: RecommendationRequest,
    reason: Provenance.FallbackReason,
    liveDeadline: ContinuousClock.Instant?,
    requestID: String,
    logger: Logger
  ) async -> Slate {
    var live: [PopularityEntry]?
    if let store, let liveDeadline {
      live = await liveTrending(request, store: store, deadline: liveDeadline, logger: logger)
    }
    let ranked = pipeline.rank(baselineInputs(request, liveTrending: live))
    return Slate(
      items: ranked.items,
      provenance: fallbackProvenance(reason: reason, level: ranked.trendingLevel, guardrails: ranked.guardrails, requestID: requestID))
  }

  func baselineInputs(_ request: RecommendationRequest, liveTrending: [PopularityEntry]?) -> CandidateInputs {
    let snapshot = catalog.snapshot
    return CandidateInputs(
      request: request, catalog: snapshot.items, liveTrending: liveTrending, fallback: fallback.current,
      newCreatorItems: snapshot.newCreatorItems)
  }

  func logLiveFailure(_ failure: (any Error)?, logger: Logger) {
    if let failure {
      logger.warning("live popularity failed; served from the files", metadata: ["error": "\(failure)"])
    }
  }

  func fallbackProvenance(
    reason: Provenance.FallbackReason,
    level: FallbackLevel,
    data: FallbackData? = nil,
    ttl: Int? = nil,
    guardrails: [GuardrailReport],
    requestID: String
  ) -> Provenance {
    Provenance(
      source: .fallback,
      fallbackReason: reason,
      fallbackLevel: level,
      modelVersion: (data ?? fallback.current).version,
      requestID: requestID,
      ttlSeconds: ttl ?? ttls.recommendations,
      guardrails: guardrails,
      computedAt: now()
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
