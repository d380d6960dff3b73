import Logging

/// Shadow mode: the capability in shadow is computed off the critical path and compared with
/// what was served (`ShadowComparison`, recorded per flag on the control plane).
extension Recommender {
  /// Shadow mode for GetRecommendations: what the personalized path would have served,
  /// computed in the background and compared with the served baseline. It writes nothing (no
  /// response cache), so turning shadow off serves fresh answers.
  func shadowRun(_ request: RecommendationRequest, served: Slate, baselineTook: Duration, budget: RequestBudget, logger: Logger) {
    runShadow(flag: FlagCatalog.recs, served: served, servedTook: baselineTook, budget: budget, logger: logger) { store, deadline in
      let (sourceFlags, sourcePermits) = self.sourcePlan(request)
      let state = try await self.userState(
        self.userStateQuery(request, cacheKey: nil, sourceFlags: sourceFlags), sourcePermits: sourcePermits, store: store, deadline: deadline)
      let inputs = try await self.personalInputs(
        request, state: state, sourceFlags: sourceFlags, sourcePermits: sourcePermits, store: store, deadline: deadline, logger: logger)
      return self.pipeline.rank(inputs).items.map(\.item.id)
    }
  }

  /// Shadow mode for a candidate source (GetRecommendations): the slate was served without
  /// the source; for each source flag in shadow, the slate with that source is computed in
  /// the background and compared with it, under that flag's name: the flags decided again
  /// with that one on, so the rule that keeps the baselines applies as it would. A source
  /// that ran anyway (the baselines kept) is not shadowed, nor one its breaker refuses: it
  /// cannot be called.
  func shadowSources(
    _ request: RecommendationRequest, sourceFlags: SourceFlags, served: Slate, servedTook: Duration, budget: RequestBudget, logger: Logger
  ) {
    for (flag, source) in SourceFlags.flagOfSource
    where sourceFlags.disabled.contains(source) && sourceFlags.evaluations.contains(where: { $0.flag == flag && $0.result == .shadow }) {
      runShadow(flag: flag, served: served, servedTook: servedTook, budget: budget, logger: logger) { store, deadline in
        var withSource = SourceFlags.decide { name in
          guard var evaluation = sourceFlags.evaluations.first(where: { $0.flag == name }) else { return nil }
          if name == flag { evaluation.result = .on }
          return evaluation
        }
        let sourcePermits = SourceBreakerPermits(control: self.control, skipping: withSource.disabled)
        guard !sourcePermits.refused.contains(source) else { return nil }
        withSource.leaveOut(sourcePermits.refused)
        let state = try await self.userState(
          self.userStateQuery(request, cacheKey: nil, sourceFlags: withSource), sourcePermits: sourcePermits, store: store, deadline: deadline)
        let inputs = try await self.personalInputs(
          request, state: state, sourceFlags: withSource, sourcePermits: sourcePermits, store: store, deadline: deadline, logger: logger)
        return self.pipeline.rank(inputs).items.map(\.item.id)
      }
    }
  }

  /// Shadow mode for GetFeed: the personalized first page of the session, computed in the
  /// background and compared with the baseline page served. Only the first page is
  /// compared: in shadow mode nothing records what a personalized session would have served
  /// on earlier pages, so a later page could only be compared with a guess. It writes
  /// nothing: neither the session's served set nor the feed cache.
  func shadowFeedPage(_ request: FeedRequest, cursor: FeedCursor, served: Slate, servedTook: Duration, budget: RequestBudget, logger: Logger) {
    guard cursor.page == 0 else { return }
    let pageRequest = RecommendationRequest(userID: request.userID, context: request.context, limit: request.pageSize)
    runShadow(flag: FlagCatalog.feed, served: served, servedTook: servedTook, budget: budget, logger: logger) { store, deadline in
      let (sourceFlags, sourcePermits) = self.sourcePlan(pageRequest)
      let state = try await self.userState(
        self.feedStateQuery(pageRequest, cursor: cursor, cacheKey: nil, sourceFlags: sourceFlags), sourcePermits: sourcePermits, store: store,
        deadline: deadline)
      return try await self.personalFeedSlate(
        pageRequest, state: state, sourceFlags: sourceFlags, sourcePermits: sourcePermits, store: store, deadline: deadline, requestID: "",
        logger: logger
      ).items.map(\.item.id)
    }
  }

  /// What every shadow computation shares: at most `ControlPlane.maxShadowRuns` at once
  /// (shadow work must never pile up behind a slow store), behind the `redis.read` breaker
  /// like the served path and told of its read's outcome, bounded by the store's per-call
  /// cap rather than the caller's deadline (the answer is already out). `compute` returns
  /// the shadowed answer's item ids, compared with `served`'s (nil: nothing to compare); it
  /// throws only when its user-state read fails, which counts against the breaker.
  func runShadow(
    flag: String, served: Slate, servedTook: Duration, budget: RequestBudget, logger: Logger,
    compute: @escaping @Sendable (any LineupStore, ContinuousClock.Instant) async throws -> [String]?
  ) {
    guard let control, let store else { return }
    control.startShadowRun {
      let breaker = control.breaker(BreakerCatalog.redisRead)
      let permit = breaker?.acquire()
      if breaker != nil && permit == nil { return }
      let started = ContinuousClock.now
      let deadline = budget.detachedStoreDeadline()
      let shadowed: [String]?
      do {
        shadowed = try await compute(store, deadline)
        if let breaker, let permit {
          // nil: it gave up before reading, so the breaker learnt nothing.
          if shadowed == nil { breaker.release(permit) } else { breaker.record(permit, failed: false) }
        }
      } catch {
        if let breaker, let permit { breaker.record(permit, failed: true) }
        logger.debug("shadow computation: user state read failed", metadata: ["flag": "\(flag)", "error": "\(error)"])
        return
      }
      guard let shadowed else { return }
      let comparison = ShadowComparison(
        overlap: ShadowComparison.overlap(served: served.items.map(\.item.id), shadowed: shadowed),
        extraSeconds: (ContinuousClock.now - started - servedTook) / .seconds(1))
      control.recordShadow(comparison, flag: flag)
      logger.debug(
        "shadow computation", metadata: ["flag": "\(flag)", "overlap_at_k": "\(comparison.overlap)", "extra_ms": "\(comparison.extraSeconds * 1_000)"])
    }
  }
}
