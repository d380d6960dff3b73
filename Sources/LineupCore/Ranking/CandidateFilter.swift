/// The filter stage: drops what must never be served — items the catalog does not know (no
/// creator or category to apply guardrails to), unavailable items, the caller's excluded
/// ids and the user's recently seen items. `admit` gives the verdict for one item
/// (ExplainRecommendation's `not_in_slate_reason`); `BlendedScorer` applies the same rules in
/// its hot loop with fewer hash lookups, and a property test holds the two to the same answer.
package struct CandidateFilter: Sendable {
  /// Why an item was filtered out; the raw values are ExplainRecommendation's
  /// `not_in_slate_reason`.
  package enum Verdict: String, Error, Sendable, Equatable {
    case unknownItem = "unknown_item"
    case unavailable
    case excluded
    case alreadySeen = "already_seen"
  }

  let catalog: CatalogIndex
  let excluded: Set<String>
  let seen: Set<String>

  /// The filter for one request: its exclusions and the user's newest seen items (the same
  /// for ranking and for explaining why an item is out).
  package init(_ inputs: CandidateInputs, settings: RankingSettings) {
    self.init(catalog: inputs.catalog, excluded: inputs.request.excludedItemIDs, seen: Set(inputs.recentItems.prefix(settings.recentItemsRead)))
  }

  package init(catalog: CatalogIndex, excluded: Set<String>, seen: Set<String>) {
    self.catalog = catalog
    self.excluded = excluded
    self.seen = seen
  }

  /// The item to rank, or why not.
  package func admit(_ itemID: String) -> Result<CatalogItem, Verdict> {
    guard let item = catalog[itemID] else { return .failure(.unknownItem) }
    // The emptiness checks skip hashing the id for the usual empty sets.
    if !excluded.isEmpty && excluded.contains(itemID) { return .failure(.excluded) }
    if !item.isAvailable { return .failure(.unavailable) }
    if !seen.isEmpty && seen.contains(itemID) { return .failure(.alreadySeen) }
    return .success(item)
  }
}
