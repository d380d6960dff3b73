import Foundation
package import Logging

/// The domain entry point for slates: takes validated requests and answers with explained,
/// provenance-stamped slates.
///
/// GetRecommendations: one store read fetches the user's cached answer, model candidates and
/// recently seen items together; a hit is served as CACHE. On a miss one more read, issued
/// at once, fetches co-visitation of the newest items and the country's live popularity,
/// and the `RankingPipeline` builds the slate (MODEL when the model or co-visitation
/// contributed; cached write-behind). Everything else — a cold user, a failing store, too
/// little deadline left — runs the same pipeline over the baselines and is served as
/// FALLBACK with the reason in provenance, guardrails included. Concurrent requests for the
/// same cache key share one computation (single flight).
package struct Recommender: Sendable {
  private let fallback: FallbackDataHolder
  private let catalog: CatalogHolder
  private let store: (any LineupStore)?
  private let codec: (any SlateCodec)?
  private let writeBehind: WriteBehindQueue?
  private let ttls: TTLBudgets
  private let pipeline: RankingPipeline
  private let now: @Sendable () -> Double
  /// Flags and breakers; nil runs every capability on, with no breaker.
  private let control: ControlPlane?
  private let singleFlight = SingleFlight<ResponseCacheKey, Slate>()

  /// - Parameters:
  ///   - fallback: the reloadable fallback data.
  ///   - catalog: the in-memory catalog (files + ingested items).
  ///   - store: the shared store (live popularity, user state, response cache), if any.
  ///   - codec: encodes slates for the response cache; nil disables caching.
  ///   - writeBehind: where cache fills run, off the request path; nil disables caching.
  ///   - ranking: the pipeline's weights, exploration share and guardrails.
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
    now: @escaping @Sendable () -> Double
  ) {
    self.control = control
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
  private var storeReadsRefused: Bool {
    guard let state = control?.breaker(BreakerCatalog.redisRead)?.snapshot.state else { return false }
    return state == .open || state == .forcedOpen
  }

  /// The personalized path: the store behind the `redis.read` breaker (open → the baseline
  /// at once, the store not touched), single flight, the response cache.
  private func personalized(_ request: RecommendationRequest, budget: RequestBudget, requestID: String, logger: Logger) async -> Slate {
    guard let store else {
      return await fallbackSlate(request, reason: .baselineOnly, liveDeadline: nil, requestID: requestID, logger: logger)
    }
    guard let deadline = budget.storeDeadline() else {
      return await fallbackSlate(request, reason: .deadline, liveDeadline: nil, requestID: requestID, logger: logger)
    }
    let breaker = control?.breaker(BreakerCatalog.redisRead)
    let permit = breaker?.acquire()
    if breaker != nil && permit == nil {
      return await fallbackSlate(request, reason: .breakerOpen, liveDeadline: nil, requestID: requestID, logger: logger)
    }
    let (sourceFlags, sourcePermits) = sourcePlan(request)
    let key = ResponseCacheKey.recommendations(userID: request.userID, fingerprint: request.cacheFingerprint + sourceFlags.fingerprintSuffix)
    var (slate, _) = await singleFlight.run(key, deadline: deadline) {
      await self.compute(
        request, key: key, sourceFlags: sourceFlags, sourcePermits: sourcePermits, store: store, deadline: deadline, requestID: requestID,
        logger: logger)
    }
    // Counted when they shaped the answer: not for the baseline a failed read fell back to.
    if slate.provenance.fallbackReason != .storeUnavailable { slate.provenance.sourceFlags = sourceFlags.evaluations }
    if let breaker, let permit { breaker.record(permit, failed: slate.provenance.fallbackReason == .storeUnavailable) }
    // A follower shares the leader's slate but is its own request.
    slate.provenance.requestID = requestID
    return slate
  }

  /// Shadow mode: computes what the personalized path would have served, in the
  /// background, and records its overlap@k with the served baseline and how much longer it
  /// took. It writes nothing (no response cache), so turning shadow off serves fresh answers.
  private func shadowRun(_ request: RecommendationRequest, served: Slate, baselineTook: Duration, budget: RequestBudget, logger: Logger) {
    guard let control, let store else { return }
    // Bounded: shadow work must never pile up behind a slow store. Behind the same breaker as
    // the served path, and told of its outcomes.
    guard control.beginShadowRun() else { return }
    let breaker = control.breaker(BreakerCatalog.redisRead)
    let permit = breaker?.acquire()
    if breaker != nil && permit == nil {
      control.endShadowRun()
      return
    }
    // The caller's deadline does not bind work done after the answer went out; the store's
    // per-call cap does.
    var shadowBudget = budget
    shadowBudget.rpcDeadline = nil
    Task {
      defer { control.endShadowRun() }
      let started = ContinuousClock.now
      guard let deadline = shadowBudget.storeDeadline() else { return }
      let (sourceFlags, sourcePermits) = self.sourcePlan(request)
      let state: UserState
      do {
        state = try await self.userState(
          self.userStateQuery(request, cacheKey: nil, sourceFlags: sourceFlags), sourcePermits: sourcePermits, store: store, deadline: deadline)
        if let breaker, let permit { breaker.record(permit, failed: false) }
      } catch {
        if let breaker, let permit { breaker.record(permit, failed: true) }
        logger.debug("shadow computation: user state read failed", metadata: ["error": "\(error)"])
        return
      }
      let inputs = await self.personalInputs(
        request, state: state, sourceFlags: sourceFlags, sourcePermits: sourcePermits, store: store, deadline: deadline, logger: logger)
      let shadow = self.pipeline.rank(inputs)
      let took = ContinuousClock.now - started
      let servedIDs = Set(served.items.map(\.item.id))
      let overlap = served.items.isEmpty ? 1 : Double(shadow.items.filter { servedIDs.contains($0.item.id) }.count) / Double(served.items.count)
      let extra = (took - baselineTook) / .seconds(1)
      control.recordShadow(overlap: overlap, extraSeconds: extra)
      logger.debug("shadow computation", metadata: ["overlap_at_k": "\(overlap)", "extra_ms": "\(extra * 1_000)"])
    }
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

  /// One page of the personalized feed: the user's candidates (less what this session has
  /// already served) blended and mixed with trending by `feedPersonalizedShareBps`, under
  /// the guardrails. The page's items are added to the session's served set and the page is
  /// cached (per session, page and size, for the feed TTL) before the answer goes out, so the
  /// next page never repeats them and a retried cursor gets the same page. RecordInteractions
  /// drops the user's cached pages, so the next page reflects what the user just did.
  package func feed(_ request: FeedRequest, budget: RequestBudget = RequestBudget(), requestID: String, logger: Logger) async -> FeedPage {
    let decision = control?.evaluate(FlagCatalog.feed, userID: request.userID, country: request.context.country?.value ?? "")
    var page: FeedPage
    let cursor = Self.cursor(of: request)
    let baselineRequest = RecommendationRequest(userID: request.userID, context: request.context, limit: request.pageSize)
    if let decision, decision.result != .on {
      // Off, or shadow: the feed's shadow comparison is not built, so shadow serves the
      // baseline and says so.
      page = baselineFeedPage(baselineRequest, cursor: cursor, reason: decision.result == .off ? .flagOff : .shadow, requestID: requestID)
    } else {
      page = await sessionFeedPage(request, pageRequest: baselineRequest, cursor: cursor, budget: budget, requestID: requestID, logger: logger)
    }
    page.slate.provenance.flag = decision
    page.slate.provenance.variant = decision?.variant ?? ""
    return page
  }

  /// A feed page from the session's state in the store (the baseline when it fails or the
  /// `redis.read` breaker refuses).
  private func sessionFeedPage(
    _ request: FeedRequest, pageRequest: RecommendationRequest, cursor: FeedCursor, budget: RequestBudget, requestID: String,
    logger: Logger
  ) async -> FeedPage {
    guard let store else { return baselineFeedPage(pageRequest, cursor: cursor, reason: .baselineOnly, requestID: requestID) }
    guard let deadline = budget.storeDeadline() else {
      return baselineFeedPage(pageRequest, cursor: cursor, reason: .deadline, requestID: requestID)
    }
    // Past the guards, so a half-open trial is only ever spent on a real store call.
    let breaker = control?.breaker(BreakerCatalog.redisRead)
    let permit = breaker?.acquire()
    if breaker != nil && permit == nil {
      return baselineFeedPage(pageRequest, cursor: cursor, reason: .breakerOpen, requestID: requestID)
    }
    let page = await storedSessionFeedPage(
      request, pageRequest: pageRequest, cursor: cursor, store: store, deadline: deadline, requestID: requestID, logger: logger)
    if let breaker, let permit { breaker.record(permit, failed: page.slate.provenance.fallbackReason == .storeUnavailable) }
    return page
  }

  /// A feed page from the session's state, once the store may be called.
  private func storedSessionFeedPage(
    _ request: FeedRequest, pageRequest: RecommendationRequest, cursor: FeedCursor, store: any LineupStore,
    deadline: ContinuousClock.Instant, requestID: String, logger: Logger
  ) async -> FeedPage {
    var pageRequest = pageRequest
    let session = cursor.sessionID
    // Keyed by the sources in play too: a retried cursor after a source was killed computes
    // its page again instead of serving the cached one with that source's items.
    let (sourceFlags, sourcePermits) = sourcePlan(pageRequest)
    let key = ResponseCacheKey.feedPage(
      userID: request.userID, page: "\(session):\(cursor.page):\(request.pageSize)\(sourceFlags.fingerprintSuffix)")
    let state: UserState
    do {
      var query = userStateQuery(pageRequest, cacheKey: codec == nil ? nil : key, sourceFlags: sourceFlags)
      query.feedSessionID = session
      // Earlier pages served up to page × size of the model's candidates: read past them, so a
      // long session stays personalized instead of running out of candidates.
      if query.candidateLimit > 0 { query.candidateLimit += cursor.page * request.pageSize }
      state = try await userState(query, sourcePermits: sourcePermits, store: store, deadline: deadline)
    } catch {
      logger.warning("user state read failed; serving a baseline feed page", metadata: ["error": "\(error)"])
      return baselineFeedPage(pageRequest, cursor: cursor, reason: .storeUnavailable, requestID: requestID)
    }
    if let bytes = state.cachedResponse, let codec, var cached = codec.decode(bytes) {
      cached.provenance.source = .cache
      cached.provenance.cacheHit = true
      cached.provenance.requestID = requestID
      cached.provenance.sourceFlags = sourceFlags.evaluations
      return FeedPage(slate: cached, nextCursor: next(after: cursor, served: cached.items.count, pageSize: request.pageSize))
    }
    pageRequest.excludedItemIDs = state.sessionServed
    let inputs = await personalInputs(
      pageRequest, state: state, sourceFlags: sourceFlags, sourcePermits: sourcePermits, store: store, deadline: deadline, logger: logger)
    let (ranked, sources) = pipeline.rankedCandidates(inputs)
    let mixed = FeedMixer.mix(ranked, personalShareBps: pipeline.settings.feedPersonalizedShareBps)
    let picked = pipeline.select(mixed, size: request.pageSize, sources: sources, inputs: inputs)
    var provenance = provenance(of: picked, inputs: inputs, requestID: requestID)
    provenance.ttlSeconds = ttls.feed
    provenance.sourceFlags = sourceFlags.evaluations
    let slate = Slate(items: picked.items, provenance: provenance)
    // Before answering, not behind: the next page reads the served set, and a retry of this
    // cursor must find this page. Both keys carry the user's hash tag: one round trip.
    let ids = slate.items.map(\.item.id)
    let feedSession = ttls.feedSession
    async let served: Void = store.addServedItems(ids, userID: request.userID, sessionID: session, ttlSeconds: feedSession, deadline: deadline)
    if let codec {
      do {
        try await store.cacheResponse(codec.encode(slate), for: key, ttlSeconds: ttls.jittered(ttls.feed), deadline: deadline)
      } catch {
        logger.warning("feed page cache write failed; a retried cursor will get a new page", metadata: ["error": "\(error)"])
      }
    }
    do {
      try await served
    } catch {
      logger.warning("feed session write failed; the next page may repeat items", metadata: ["error": "\(error)"])
    }
    return FeedPage(slate: slate, nextCursor: next(after: cursor, served: ids.count, pageSize: request.pageSize))
  }

  /// The page asked for: the context's session (else the cursor's, else a new one).
  private static func cursor(of request: FeedRequest) -> FeedCursor {
    let session =
      !request.context.sessionID.isEmpty ? request.context.sessionID : (request.cursor?.sessionID ?? newSessionID())
    return FeedCursor(sessionID: session, page: request.cursor?.page ?? 0)
  }

  /// The cursor after a page of `served` items; nil once a page comes back short.
  private func next(after cursor: FeedCursor, served: Int, pageSize: Int) -> FeedCursor? {
    guard served >= pageSize, cursor.page < FeedCursor.maxPage else { return nil }
    return FeedCursor(sessionID: cursor.sessionID, page: cursor.page + 1)
  }

  /// A feed page from the baselines alone. With no session state to read, page N leaves
  /// out what pages 0…N−1 held (recomputed, the baselines being deterministic), for the
  /// first `baselineFeedDepth` pages.
  private func baselineFeedPage(
    _ request: RecommendationRequest, cursor: FeedCursor, reason: Provenance.FallbackReason, requestID: String
  ) -> FeedPage {
    // One snapshot of the catalog and baselines for every pass.
    var inputs = baselineInputs(request, liveTrending: nil)
    var ranked = pipeline.rank(inputs)
    for _ in 0..<min(cursor.page, Self.baselineFeedDepth) {
      inputs.request.excludedItemIDs.formUnion(ranked.items.map(\.item.id))
      ranked = pipeline.rank(inputs)
    }
    var provenance = fallbackProvenance(reason: reason, level: ranked.trendingLevel, guardrails: ranked.guardrails, requestID: requestID)
    provenance.ttlSeconds = ttls.feed
    return FeedPage(
      slate: Slate(items: ranked.items, provenance: provenance), nextCursor: next(after: cursor, served: ranked.items.count, pageSize: request.limit))
  }

  /// Pages a baseline feed recomputes to leave earlier pages out.
  static let baselineFeedDepth = 20

  /// A new feed session id for a client that sent none: 16 random hex digits.
  static func newSessionID() -> String {
    String(UInt64.random(in: 0...UInt64.max), radix: 16)
  }

  /// What is popular in a country: the baseline itself, under the guardrails.
  package func trending(_ request: TrendingRequest, budget: RequestBudget = RequestBudget(), requestID: String, logger: Logger) async -> Slate {
    let snapshot = catalog.snapshot
    let ladder = FallbackLadder(data: fallback.current, catalog: snapshot.items, live: store)
    let depth = max(request.limit * 3, 60)
    // The live read is behind the `source.trending` breaker, as everywhere else.
    let breaker = control?.breaker(BreakerCatalog.sourceTrending)
    let reads = request.context.country != nil && store != nil
    let permit = reads ? breaker?.acquire() : nil
    let liveDeadline = breaker != nil && reads && permit == nil ? nil : budget.storeDeadline()
    let result = await ladder.rank(country: request.context.country, limit: depth, category: request.category, liveDeadline: liveDeadline)
    if let breaker, let permit {
      if liveDeadline == nil { breaker.release(permit) } else { breaker.record(permit, failed: result.liveFailure != nil) }
    }
    logLiveFailure(result.liveFailure, logger: logger)
    var policy = pipeline.settings.guardrails
    // One category asked for: spreading over categories is not what the caller wants.
    if request.category != nil { policy.minCategories = 1 }
    let (items, reports) = SlateSelector(policy: policy).select(result.items, size: request.limit)
    return Slate(
      items: items,
      provenance: fallbackProvenance(
        reason: .baselineOnly, level: result.level, data: ladder.data, ttl: ttls.trending, guardrails: reports, requestID: requestID))
  }

  private func compute(
    _ request: RecommendationRequest,
    key: ResponseCacheKey,
    sourceFlags: SourceFlags,
    sourcePermits: SourceBreakerPermits,
    store: any LineupStore,
    deadline: ContinuousClock.Instant,
    requestID: String,
    logger: Logger
  ) async -> Slate {
    let state: UserState
    do {
      state = try await userState(
        userStateQuery(request, cacheKey: codec == nil ? nil : key, sourceFlags: sourceFlags), sourcePermits: sourcePermits, store: store,
        deadline: deadline)
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
    let inputs = await personalInputs(
      request, state: state, sourceFlags: sourceFlags, sourcePermits: sourcePermits, store: store, deadline: deadline, logger: logger)
    let ranked = pipeline.rank(inputs)
    let slate = Slate(items: ranked.items, provenance: provenance(of: ranked, inputs: inputs, requestID: requestID))
    if slate.provenance.source == .model { fillCache(key, slate: slate, store: store, logger: logger) }
    return slate
  }

  /// What the user-state read asks for: no model candidates when the model source is left out.
  private func userStateQuery(_ request: RecommendationRequest, cacheKey: ResponseCacheKey?, sourceFlags: SourceFlags) -> UserStateQuery {
    UserStateQuery(
      userID: request.userID,
      candidateLimit: sourceFlags.disabled.contains(.model) ? 0 : pipeline.settings.modelCandidatesRead(for: request),
      recentLimit: pipeline.settings.recentItemsRead,
      cacheKey: cacheKey)
  }

  /// The user-state read, its model part reported to the `source.model` breaker. A read that
  /// fails as a whole is `redis.read`'s to count; the model's permit is then released.
  private func userState(
    _ query: UserStateQuery, sourcePermits: SourceBreakerPermits, store: any UserStateStore, deadline: ContinuousClock.Instant
  ) async throws -> UserState {
    let state = try await store.userState(query, deadline: deadline)
    if query.candidateLimit > 0 { sourcePermits.record(.model, failed: state.modelCandidatesUnreadable) }
    return state
  }

  /// The pipeline's inputs for a user whose state was read: the second (and last) round trip
  /// fetches co-visitation of the newest items and the country's live popularity together.
  /// Either failing only drops that source: the model's candidates are already here.
  private func personalInputs(
    _ request: RecommendationRequest, state: UserState, sourceFlags: SourceFlags, sourcePermits: SourceBreakerPermits,
    store: any LineupStore, deadline: ContinuousClock.Instant, logger: Logger
  ) async -> CandidateInputs {
    let settings = pipeline.settings
    if state.modelCandidatesUnreadable {
      logger.warning("the user's model candidates do not read as candidates; serving without them", metadata: ["user": "\(request.userID)"])
    }
    // A source left out (flag off, breaker open) is not read.
    let seeds = sourceFlags.disabled.contains(.coVisitation) ? [] : Array(state.recentItems.prefix(settings.coVisitationSeeds))
    async let live = liveTrending(request, store: store, deadline: deadline, logger: logger)
    var coVisits: [String: [PopularityEntry]] = [:]
    await withTaskGroup(of: (String, [PopularityEntry]?).self) { group in
      for seed in seeds {
        group.addTask { (seed, try? await store.coVisited(with: seed, limit: settings.coVisitationDepth, deadline: deadline)) }
      }
      for await (seed, entries) in group {
        if let entries { coVisits[seed] = entries } else { logger.debug("co-visitation read failed", metadata: ["item": "\(seed)"]) }
      }
    }
    // One outcome for the request's co-visitation reads, which run side by side.
    if seeds.isEmpty { sourcePermits.release(.coVisitation) } else { sourcePermits.record(.coVisitation, failed: coVisits.count < seeds.count) }
    let snapshot = catalog.snapshot
    var inputs = CandidateInputs(
      request: request, catalog: snapshot.items, model: state.candidates, recentItems: state.recentItems, coVisits: coVisits,
      liveTrending: await live, fallback: fallback.current, newCreatorItems: snapshot.newCreatorItems)
    inputs.disabledSources = sourceFlags.disabled
    return inputs
  }

  /// The sources of this request: the candidate-source flags' decisions for its user, less
  /// the sources whose circuit breaker refuses, with the permits of those that may run
  /// (every source runs, unguarded, without a control plane).
  private func sourcePlan(_ request: RecommendationRequest) -> (flags: SourceFlags, permits: SourceBreakerPermits) {
    var flags = SourceFlags()
    if let control {
      let country = request.context.country?.value ?? ""
      flags = SourceFlags.decide { control.evaluate($0, userID: request.userID, country: country) }
    }
    let permits = SourceBreakerPermits(control: control, skipping: flags.disabled)
    flags.leaveOut(permits.refused)
    return (flags, permits)
  }

  /// The country's live popularity, nil when there is no country or the read fails.
  private func liveTrending(
    _ request: RecommendationRequest, store: any PopularityStore, deadline: ContinuousClock.Instant, logger: Logger
  ) async -> [PopularityEntry]? {
    guard let country = request.context.country else { return nil }
    // Behind the `source.trending` breaker: open, the files' popularity is served at once.
    let breaker = control?.breaker(BreakerCatalog.sourceTrending)
    let permit = breaker?.acquire()
    if breaker != nil && permit == nil { return nil }
    do {
      let entries = try await store.topItems(in: country, limit: pipeline.settings.trendingDepth(for: request), deadline: deadline)
      if let breaker, let permit { breaker.record(permit, failed: false) }
      return entries
    } catch {
      if let breaker, let permit { breaker.record(permit, failed: true) }
      logLiveFailure(error, logger: logger)
      return nil
    }
  }

  /// Inputs and provenance for an explanation: the personal reads when the store answers,
  /// else the baselines with the reason GetRecommendations would give.
  private func explanationInputs(
    _ request: RecommendationRequest, budget: RequestBudget, logger: Logger
  ) async -> (CandidateInputs, (RankedSlate) -> Provenance) {
    let reason: Provenance.FallbackReason
    if let store, let deadline = budget.storeDeadline() {
      do {
        let (sourceFlags, sourcePermits) = sourcePlan(request)
        let state = try await userState(
          userStateQuery(request, cacheKey: nil, sourceFlags: sourceFlags), sourcePermits: sourcePermits, store: store, deadline: deadline)
        let inputs = await personalInputs(
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
  private func provenance(of ranked: RankedSlate, inputs: CandidateInputs, requestID: String) -> Provenance {
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

  /// The pipeline over the baselines alone (live popularity when `liveDeadline` allows).
  private func fallbackSlate(
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

  private func baselineInputs(_ request: RecommendationRequest, liveTrending: [PopularityEntry]?) -> CandidateInputs {
    let snapshot = catalog.snapshot
    return CandidateInputs(
      request: request, catalog: snapshot.items, liveTrending: liveTrending, fallback: fallback.current,
      newCreatorItems: snapshot.newCreatorItems)
  }

  private func logLiveFailure(_ failure: (any Error)?, logger: Logger) {
    if let failure {
      logger.warning("live popularity failed; served from the files", metadata: ["error": "\(failure)"])
    }
  }

  private func fallbackProvenance(
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
