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
    #expect(probe == UserStateQuery(userID: "u", candidateLimit: 0, recentLimit: 5, cacheKey: key, feedSessionID: "s"))
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
