import LineupCore
import Testing

/// `UserStateQuery.splitForCacheProbe` and `UserState.completed`: what a cache probe reads,
/// what is left for a miss, and how the two states join.
@Suite("user-state read split for a cache probe")
struct UserStateQuerySplitTests {
  private let key = ResponseCacheKey.recommendations(userID: "u", fingerprint: "f")

  @Test("with a cache key the probe reads the entry, the session and the seeds; the rest reads candidates and the whole seen list")
  func split() throws {
    let query = UserStateQuery(userID: "u", candidateLimit: 100, recentLimit: 100, cacheKey: key, feedSessionID: "s")
    let (probe, rest) = query.splitForCacheProbe(seeds: 5)
    #expect(probe == UserStateQuery(userID: "u", candidateLimit: 0, recentLimit: 5, cacheKey: key, feedSessionID: "s", checksCandidates: true))
    #expect(rest == UserStateQuery(userID: "u", candidateLimit: 100, recentLimit: 100))
  }

  @Test("without a cache key, or with nothing left beyond the seeds, the query stays whole")
  func whole() {
    let uncached = UserStateQuery(userID: "u", candidateLimit: 100, recentLimit: 100)
    #expect(uncached.splitForCacheProbe(seeds: 5).probe == uncached)
    #expect(uncached.splitForCacheProbe(seeds: 5).rest == nil)
    let small = UserStateQuery(userID: "u", candidateLimit: 0, recentLimit: 3, cacheKey: key)
    #expect(small.splitForCacheProbe(seeds: 5).probe == small)
    #expect(small.splitForCacheProbe(seeds: 5).rest == nil)
  }

  @Test("a miss reads only what the probe did not rule out: no candidates the model lacks, no seen list the probe holds whole")
  func narrowed() throws {
    let query = UserStateQuery(userID: "u", candidateLimit: 100, recentLimit: 100, cacheKey: key)
    let (probe, split) = query.splitForCacheProbe(seeds: 5)
    let rest = try #require(split)
    func found(candidates: Bool?, recent: Int) -> UserState {
      var state = UserState(recentItems: (0..<recent).map { "i\($0)" })
      state.hasCandidates = candidates
      return state
    }
    // A cold user with fewer seen items than the probe read: nothing left to read.
    #expect(rest.narrowed(after: probe, found: found(candidates: false, recent: 4)) == nil)
    // A cold user with a longer history: the seen list only.
    #expect(rest.narrowed(after: probe, found: found(candidates: false, recent: 5)) == UserStateQuery(userID: "u", candidateLimit: 0, recentLimit: 100))
    // Candidates there: read them; the seen list too when the probe may not have it all.
    #expect(rest.narrowed(after: probe, found: found(candidates: true, recent: 2)) == UserStateQuery(userID: "u", candidateLimit: 100, recentLimit: 0))
    #expect(rest.narrowed(after: probe, found: found(candidates: true, recent: 5)) == rest)
    // Not checked (a store that did not answer the check): the candidates are read.
    #expect(rest.narrowed(after: probe, found: found(candidates: nil, recent: 0))?.candidateLimit == 100)
  }

  @Test("the completed state takes candidates and seen items from the rest, the cache entry and session from the probe")
  func completed() {
    let probed = UserState(recentItems: ["a", "b"], cachedResponse: nil, sessionServed: ["x"])
    var rest = UserState(candidates: ModelCandidates(modelVersion: "m", items: [PopularityEntry(itemID: "c", score: 1)]), recentItems: ["a", "b", "c", "d"])
    rest.modelCandidatesUnreadable = true
    let state = probed.completed(by: rest, of: UserStateQuery(userID: "u", candidateLimit: 10, recentLimit: 100))
    #expect(state.candidates == rest.candidates)
    #expect(state.modelCandidatesUnreadable)
    #expect(state.recentItems == ["a", "b", "c", "d"])
    #expect(state.sessionServed == ["x"])
    // A rest that did not ask for candidates leaves the probe's (none) alone.
    let noModel = probed.completed(by: rest, of: UserStateQuery(userID: "u", candidateLimit: 0, recentLimit: 100))
    #expect(noModel.candidates == nil && !noModel.modelCandidatesUnreadable)
  }
}
