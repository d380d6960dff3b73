/// Everything the candidate sources of one request read, fetched before ranking: the user's
/// state (one pipelined round trip on Redis), co-visitation of the newest items and the
/// country's live popularity (at most one more, issued together), plus what is in memory
/// (catalog, fallback baselines, the new-creator pool).
package struct CandidateInputs: Sendable {
  package var request: RecommendationRequest
  /// Items by id (files overlaid by ingested items), numbered for the pipeline.
  package var catalog: CatalogIndex
  /// The model's candidates; nil for a cold user or when the store was not read.
  package var model: ModelCandidates?
  /// The user's recently seen items, newest first.
  package var recentItems: [String]
  /// For each of the newest recent items, the items most often visited after it.
  package var coVisits: [String: [PopularityEntry]]
  /// The country's live popularity; nil when not read (store down, no time, no country).
  package var liveTrending: [PopularityEntry]?
  /// The baselines from fallback-data/.
  package var fallback: FallbackData
  /// Available items of new creators, newest first (`CatalogHolder.newCreatorItems`).
  package var newCreatorItems: [CatalogItem]
  /// Sources this request's slate is built without (their flags are off for the user,
  /// `SourceFlags`). Default none.
  package var disabledSources: Set<CandidateSourceName> = []
  /// True when a source that should have run could not (its data unreadable, its read failed
  /// or its breaker refused): the slate is served but not cached. Default false.
  package var incomplete = false

  package init(
    request: RecommendationRequest,
    catalog: CatalogIndex,
    model: ModelCandidates? = nil,
    recentItems: [String] = [],
    coVisits: [String: [PopularityEntry]] = [:],
    liveTrending: [PopularityEntry]? = nil,
    fallback: FallbackData,
    newCreatorItems: [CatalogItem] = []
  ) {
    self.request = request
    self.catalog = catalog
    self.model = model
    self.recentItems = recentItems
    self.coVisits = coVisits
    self.liveTrending = liveTrending
    self.fallback = fallback
    self.newCreatorItems = newCreatorItems
  }
}

extension CandidateInputs {
  /// Inputs over a plain dictionary of items (tests, tools): numbers it first, which the
  /// server does once per catalog change instead (`CatalogHolder`).
  package init(
    request: RecommendationRequest,
    catalog: [String: CatalogItem],
    model: ModelCandidates? = nil,
    recentItems: [String] = [],
    coVisits: [String: [PopularityEntry]] = [:],
    liveTrending: [PopularityEntry]? = nil,
    fallback: FallbackData,
    newCreatorItems: [CatalogItem] = []
  ) {
    self.init(
      request: request, catalog: CatalogIndex(catalog), model: model, recentItems: recentItems, coVisits: coVisits,
      liveTrending: liveTrending, fallback: fallback, newCreatorItems: newCreatorItems)
  }
}
