/// How the recommendation pipeline blends, filters and explores. Defaults are documented
/// per field; `lineup-server` reads overrides from its configuration.
package struct RankingSettings: Sendable, Equatable {
  /// Blend weight per candidate source: an item's score is the weighted mean of the scores
  /// its sources gave it, over the sources that proposed anything for this request.
  /// Defaults: model 1.0, co-visitation 0.3, trending 0.02, new creators 0.01. Trending was
  /// 0.3, then 0.1, and co-visitation 0.6, until lineup-eval showed them drowning the user's
  /// own signal (the model's) in what the whole country and the last few items suggest: with
  /// these, NDCG@10 and coverage meet the playbook at every seed tried (docs/evaluation.md).
  /// New creators stay below trending so a cold user's slate (trending and new creators only;
  /// the weights are normalized over the sources in play) still leads with what the country
  /// watches; their share comes from the floor guardrail, not from the blend.
  package var weights: [CandidateSourceName: Double] = [.model: 1.0, .coVisitation: 0.3, .trending: 0.02, .newCreators: 0.01]
  /// Share of a slate, in basis points (rounded down), kept for items outside the user's
  /// usual categories. Default 2000 (20%).
  package var explorationShareBps = 2_000
  /// The user's categories are those of this many newest seen items and best model
  /// candidates (or, for a cold user, of the country's top trending items). Default 10.
  package var usualCategoryDepth = 10
  /// Newest seen items whose co-visitation sets are read, all in the same pipelined round
  /// trip. Default 5 (3 before lineup-eval measured 5 better; 10 lost coverage).
  package var coVisitationSeeds = 5
  /// Items read per co-visitation set. Default 50.
  package var coVisitationDepth = 50
  /// Newest seen items read for the already-seen filter (and co-visitation seeds). Default 100.
  package var recentItemsRead = 100
  // Depths scale with the slate: a 20-item slate ranks about 250 candidates, a 100-item one
  // about 1,200. Each proposal costs a hash lookup or two, so a fixed depth sized for the
  // largest slate would make every small one pay for it.
  /// Model candidates read per slate item, on top of the excluded ids. Default 5.
  package var modelCandidatesPerItem = 5
  /// Country popularity entries (live, and proposed from the ladder) per slate item, at
  /// least `minimumTrendingDepth`. Default 3.
  package var trendingPerItem = 3
  /// Default 30.
  package var minimumTrendingDepth = 30
  /// New-creator items proposed per slate item, at least `minimumNewCreatorDepth`. Default 1.
  package var newCreatorsPerItem = 1
  /// Default 10.
  package var minimumNewCreatorDepth = 10
  /// Share of a feed page, in basis points, for personalized items (the rest is trending).
  /// Default 7000 (70%).
  package var feedPersonalizedShareBps = 7_000
  /// The guardrails every slate keeps.
  package var guardrails = GuardrailPolicy()

  package init() {}

  /// The weight of `source`, 0 when not configured (the source is then ignored).
  package func weight(of source: CandidateSourceName) -> Double {
    max(0, weights[source] ?? 0)
  }

  /// Model candidates to read for a request.
  package func modelCandidatesRead(for request: RecommendationRequest) -> Int {
    request.limit * modelCandidatesPerItem + request.excludedItemIDs.count
  }

  /// Country popularity entries to read and propose for a request.
  package func trendingDepth(for request: RecommendationRequest) -> Int {
    max(minimumTrendingDepth, request.limit * trendingPerItem) + request.excludedItemIDs.count
  }

  /// New-creator items to propose for a slate of `size`.
  package func newCreatorDepth(slateSize size: Int) -> Int {
    max(minimumNewCreatorDepth, size * newCreatorsPerItem)
  }

  /// Items of a slate of `size` kept for exploration: ⌊size × share⌋.
  package func explorationSlots(slateSize size: Int) -> Int {
    size * max(0, min(10_000, explorationShareBps)) / 10_000
  }
}
