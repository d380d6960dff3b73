package import Logging

/// GetFeed: session-aware pages of the personalized feed.
extension Recommender {
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
    if let decision, decision.result == .off {
      page = baselineFeedPage(baselineRequest, cursor: cursor, reason: .flagOff, requestID: requestID)
    } else if let decision, decision.result == .shadow {
      // The baseline page answers; the personalized one is computed off the critical path.
      let started = ContinuousClock.now
      page = baselineFeedPage(baselineRequest, cursor: cursor, reason: .shadow, requestID: requestID)
      shadowFeedPage(request, cursor: cursor, served: page.slate, servedTook: ContinuousClock.now - started, budget: budget, logger: logger)
    } else {
      page = await sessionFeedPage(request, pageRequest: baselineRequest, cursor: cursor, budget: budget, requestID: requestID, logger: logger)
    }
    page.slate.provenance.flag = decision
    page.slate.provenance.variant = decision?.variant ?? ""
    return page
  }

  /// A feed page from the session's state in the store (the baseline when it fails or the
  /// `redis.read` breaker refuses).
  func sessionFeedPage(
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
  func storedSessionFeedPage(
    _ request: FeedRequest, pageRequest: RecommendationRequest, cursor: FeedCursor, store: any LineupStore,
    deadline: ContinuousClock.Instant, requestID: String, logger: Logger
  ) async -> FeedPage {
    let session = cursor.sessionID
    // Keyed by the sources in play too: a retried cursor after a source was killed computes
    // its page again instead of serving the cached one with that source's items.
    let (sourceFlags, sourcePermits) = sourcePlan(pageRequest)
    let key = ResponseCacheKey.feedPage(
      userID: request.userID, page: "\(session):\(cursor.page):\(request.pageSize)\(sourceFlags.fingerprintSuffix)")
    // The probe reads the cached page and the session's served set (the page's exclusions);
    // the candidates, past what earlier pages served, are read only on a miss.
    let (probe, rest) = feedStateQuery(pageRequest, cursor: cursor, cacheKey: codec == nil ? nil : key, sourceFlags: sourceFlags)
      .splitForCacheProbe(seeds: pipeline.settings.coVisitationSeeds)
    let slate: Slate
    do {
      let state = try await userState(probe, sourcePermits: sourcePermits, store: store, deadline: deadline)
      if let bytes = state.cachedResponse, let codec, var cached = codec.decode(bytes) {
        cached.provenance.source = .cache
        cached.provenance.cacheHit = true
        cached.provenance.requestID = requestID
        cached.provenance.sourceFlags = sourceFlags.evaluations
        return FeedPage(slate: cached, nextCursor: next(after: cursor, served: cached.items.count, pageSize: request.pageSize))
      }
      slate = try await personalFeedSlate(
        pageRequest, state: state, rest: remainder(rest, after: probe, found: state, sourcePermits: sourcePermits), sourceFlags: sourceFlags,
        sourcePermits: sourcePermits, store: store, deadline: deadline, requestID: requestID, logger: logger)
    } catch {
      logger.warning("user state read failed; serving a baseline feed page", metadata: ["error": "\(error)"])
      return baselineFeedPage(pageRequest, cursor: cursor, reason: .storeUnavailable, requestID: requestID)
    }
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

  /// The user-state read of a feed page: with the session's served set, and past the model's
  /// candidates that earlier pages served (up to page × size of them), so a long session
  /// stays personalized instead of running out of candidates.
  func feedStateQuery(
    _ pageRequest: RecommendationRequest, cursor: FeedCursor, cacheKey: ResponseCacheKey?, sourceFlags: SourceFlags
  ) -> UserStateQuery {
    var query = userStateQuery(pageRequest, cacheKey: cacheKey, sourceFlags: sourceFlags)
    query.feedSessionID = cursor.sessionID
    if query.candidateLimit > 0 { query.candidateLimit += cursor.page * pageRequest.limit }
    return query
  }

  /// A personalized feed page from the user's state (completed by `rest` when the first
  /// read was a cache probe): the candidates less what the session served, blended, mixed
  /// with trending by `feedPersonalizedShareBps`, under the guardrails.
  func personalFeedSlate(
    _ pageRequest: RecommendationRequest, state: UserState, rest: UserStateQuery? = nil, sourceFlags: SourceFlags,
    sourcePermits: SourceBreakerPermits, store: any LineupStore, deadline: ContinuousClock.Instant, requestID: String, logger: Logger
  ) async throws -> Slate {
    var pageRequest = pageRequest
    pageRequest.excludedItemIDs = state.sessionServed
    let inputs = try await personalInputs(
      pageRequest, state: state, rest: rest, sourceFlags: sourceFlags, sourcePermits: sourcePermits, store: store, deadline: deadline, logger: logger)
    let (ranked, sources) = pipeline.rankedCandidates(inputs)
    let mixed = FeedMixer.mix(ranked, personalShareBps: pipeline.settings.feedPersonalizedShareBps)
    let picked = pipeline.select(mixed, size: pageRequest.limit, sources: sources, inputs: inputs)
    var provenance = provenance(of: picked, inputs: inputs, requestID: requestID)
    provenance.ttlSeconds = ttls.feed
    provenance.sourceFlags = sourceFlags.evaluations
    return Slate(items: picked.items, provenance: provenance)
  }

  /// The page asked for: the context's session (else the cursor's, else a new one).
  static func cursor(of request: FeedRequest) -> FeedCursor {
    let session =
      !request.context.sessionID.isEmpty ? request.context.sessionID : (request.cursor?.sessionID ?? newSessionID())
    return FeedCursor(sessionID: session, page: request.cursor?.page ?? 0)
  }

  /// The cursor after a page of `served` items; nil once a page comes back short.
  func next(after cursor: FeedCursor, served: Int, pageSize: Int) -> FeedCursor? {
    guard served >= pageSize, cursor.page < FeedCursor.maxPage else { return nil }
    return FeedCursor(sessionID: cursor.sessionID, page: cursor.page + 1)
  }

  /// A feed page from the baselines alone. With no session state to read, page N leaves
  /// out what pages 0…N−1 held (recomputed, the baselines being deterministic), for the
  /// first `baselineFeedDepth` pages.
  func baselineFeedPage(
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
}
