/// The per-user state a recommendation request reads, each query fetched together so that on
/// Redis it costs one pipelined round trip to one node (every key carries the user's hash
/// tag): the cached response, the model's candidates, the recently-seen items and the feed
/// session's served items. A request that may be answered from the cache reads in two parts
/// (`UserStateQuery.splitForCacheProbe`), so that a hit never reads the candidates.
package protocol UserStateStore: Sendable {
  /// Reads what `query` asks for.
  func userState(_ query: UserStateQuery, deadline: ContinuousClock.Instant) async throws -> UserState

  /// Replaces a user's model candidates (what the model pipeline does with native commands;
  /// here for the embedded store, tests and the evaluation tool). `ttlSeconds` nil keeps them
  /// until replaced.
  func putCandidates(_ candidates: ModelCandidates, for userID: String, ttlSeconds: Int?, deadline: ContinuousClock.Instant) async throws
}

/// What to read for one user.
package struct UserStateQuery: Sendable, Equatable {
  package var userID: String
  /// Best candidates to read; 0 reads none.
  package var candidateLimit: Int
  /// Most recent seen items to read; 0 reads none.
  package var recentLimit: Int
  /// The response-cache entry to look up, if any.
  package var cacheKey: ResponseCacheKey?
  /// The feed session whose served items to read, if any.
  package var feedSessionID: String?
  /// Whether to find out if the model has candidates for the user without reading them (a
  /// key-exists check; meaningful with `candidateLimit` 0): how a cache probe learns that a
  /// miss need not read them.
  package var checksCandidates: Bool

  package init(
    userID: String, candidateLimit: Int, recentLimit: Int, cacheKey: ResponseCacheKey? = nil, feedSessionID: String? = nil,
    checksCandidates: Bool = false
  ) {
    self.userID = userID
    self.candidateLimit = candidateLimit
    self.recentLimit = recentLimit
    self.cacheKey = cacheKey
    self.feedSessionID = feedSessionID
    self.checksCandidates = checksCandidates
  }
}

extension UserStateQuery {
  /// This query in two parts, when it asks for a cached answer: the probe reads the cache
  /// entry, the feed session and the `seeds` newest seen items (what co-visitation needs,
  /// read beside the rest); the rest — the model's candidates and the whole seen list — is
  /// read only on a miss, in the round trip that reads co-visitation and live popularity.
  /// On Redis 7.0 a hundred candidates `WITHSCORES` cost the server more than the rest of a
  /// cache hit together (each score is formatted with `%.17g`; docs/benchmarks.md). Without
  /// a cache key nothing is gained: the query is whole. A seen list no longer than the seeds
  /// is read by the probe alone. The probe also checks whether the model has candidates for
  /// the user, so that a miss can skip what `narrowed(after:)` shows is not there.
  package func splitForCacheProbe(seeds: Int) -> (probe: UserStateQuery, rest: UserStateQuery?) {
    guard cacheKey != nil, candidateLimit > 0 || recentLimit > seeds else { return (self, nil) }
    let probe = UserStateQuery(
      userID: userID, candidateLimit: 0, recentLimit: min(seeds, recentLimit), cacheKey: cacheKey, feedSessionID: feedSessionID,
      checksCandidates: candidateLimit > 0)
    return (probe, UserStateQuery(userID: userID, candidateLimit: candidateLimit, recentLimit: recentLimit > seeds ? recentLimit : 0))
  }

  /// This rest of a split query less what the probe (`probe`, which found `probed`) showed
  /// there is nothing to read for: no candidates when the model has none for the user, no
  /// seen list when it is shorter than the probe's read (the probe has all of it); nil when
  /// nothing is left. A cold user's miss thus reads no more user state — one round trip saved
  /// on every request the baselines answer.
  package func narrowed(after probe: UserStateQuery, found probed: UserState) -> UserStateQuery? {
    var rest = self
    if probed.hasCandidates == false { rest.candidateLimit = 0 }
    if probed.recentItems.count < probe.recentLimit { rest.recentLimit = 0 }
    return rest.candidateLimit > 0 || rest.recentLimit > 0 ? rest : nil
  }
}

extension UserState {
  /// The probe's state completed by the rest's: the model's candidates and the whole seen
  /// list come from the rest; the cache entry and the feed session from the probe.
  package func completed(by rest: UserState, of query: UserStateQuery) -> UserState {
    var state = self
    if query.candidateLimit > 0 {
      state.candidates = rest.candidates
      state.modelCandidatesUnreadable = rest.modelCandidatesUnreadable
    }
    if query.recentLimit > 0 { state.recentItems = rest.recentItems }
    return state
  }
}

/// What `UserStateStore.userState` found.
package struct UserState: Sendable, Equatable {
  /// nil when the model pipeline has nothing for the user (a cold user).
  package var candidates: ModelCandidates?
  /// Newest first.
  package var recentItems: [String]
  /// The cached response's bytes, when the cache key was asked for and present.
  package var cachedResponse: [UInt8]?
  /// Items already served in the feed session.
  package var sessionServed: Set<String>
  /// True when the model's candidates were asked for but their stored value could not be
  /// read as candidates (the wrong type, a score that is not a number): `candidates` is then
  /// nil and the rest of the state is good. The `source.model` breaker counts it.
  package var modelCandidatesUnreadable = false
  /// Whether the model has candidates for the user, when the query `checksCandidates`
  /// (nil otherwise).
  package var hasCandidates: Bool?

  package init(candidates: ModelCandidates? = nil, recentItems: [String] = [], cachedResponse: [UInt8]? = nil, sessionServed: Set<String> = []) {
    self.candidates = candidates
    self.recentItems = recentItems
    self.cachedResponse = cachedResponse
    self.sessionServed = sessionServed
  }
}

/// The model pipeline's precomputed candidates for one user.
package struct ModelCandidates: Sendable, Equatable {
  /// The model that produced them, reported in provenance.
  package var modelVersion: String
  /// Best first; scores as the model wrote them.
  package var items: [PopularityEntry]

  package init(modelVersion: String, items: [PopularityEntry]) {
    self.modelVersion = modelVersion
    self.items = items
  }
}
