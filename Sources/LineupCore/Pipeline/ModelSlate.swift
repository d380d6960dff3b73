/// The interim model slate: the model's candidates, best first, joined with the catalog,
/// without excluded, unknown or unavailable items, scores normalized to the best candidate.
/// The ranking pipeline (candidate sources, filters, guardrails) replaces this.
package enum ModelSlate {
  /// Candidates to read so that filtering still leaves a full slate in the usual case.
  package static func candidateLimit(for request: RecommendationRequest) -> Int {
    request.limit * 2 + request.excludedItemIDs.count
  }

  package static func items(_ candidates: ModelCandidates, request: RecommendationRequest, catalog: [String: CatalogItem]) -> [ServedItem] {
    guard let best = candidates.items.first?.score, best > 0 else { return [] }
    var items: [ServedItem] = []
    var taken: Set<String> = []
    for candidate in candidates.items {
      guard items.count < request.limit else { break }
      guard let item = catalog[candidate.itemID], item.isAvailable,
        !request.excludedItemIDs.contains(candidate.itemID), taken.insert(candidate.itemID).inserted,
        candidate.score.isFinite, candidate.score > 0
      else { continue }
      let score = min(1, candidate.score / best)
      var reasons = [Reason(code: .modelScore, text: "Picked for you by model \(candidates.modelVersion)", weight: score)]
      if item.isNewCreator { reasons.append(FallbackLadder.newCreatorReason) }
      items.append(ServedItem(item: item, score: score, reasons: reasons))
    }
    return items
  }
}
