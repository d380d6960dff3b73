/// The exploration stage: keeps `RankingSettings.explorationShareBps` of the slate for the
/// best items outside the user's usual categories, so a user is not shown only more of
/// what they already watch. It reorders the ranked list so that the slate's share of
/// explored items sits inside the first `size` entries (ordered by score there), with the
/// rest behind; the guardrail selector then works on that order.
package struct ExplorationMixer: Sendable {
  package var settings: RankingSettings

  package init(settings: RankingSettings) {
    self.settings = settings
  }

  /// The user's usual categories: of their newest seen items and best model candidates; for
  /// a user with neither, of the best-ranked candidates (what the country watches).
  package func usualCategories(_ inputs: CandidateInputs, ranked: [RankedCandidate]) -> Set<String> {
    let depth = settings.usualCategoryDepth
    var ids = Array(inputs.recentItems.prefix(depth))
    ids += inputs.model?.items.prefix(depth).map(\.itemID) ?? []
    var categories = Set(ids.compactMap { inputs.catalog[$0]?.category })
    if categories.isEmpty { categories = Set(ranked.prefix(depth).map(\.item.category)) }
    return categories
  }

  package func mix(_ ranked: [RankedCandidate], size: Int, usual: Set<String>) -> [RankedCandidate] {
    let slots = settings.explorationSlots(slateSize: size)
    guard slots > 0, !usual.isEmpty else { return ranked }
    var explore: [Int] = []
    for index in ranked.indices where explore.count < slots && !usual.contains(ranked[index].item.category) {
      explore.append(index)
    }
    guard !explore.isEmpty else { return ranked }
    let exploreSet = Set(explore)
    // The best (size − explored) usual items, then the explored ones, merged by score.
    let keep = ranked.indices.filter { !exploreSet.contains($0) }.prefix(size - explore.count)
    let head = Set(keep).union(exploreSet)
    var mixed = head.sorted().map { index -> RankedCandidate in
      var candidate = ranked[index]
      candidate.explored = exploreSet.contains(index) && index >= size
      return candidate
    }
    mixed += ranked.indices.filter { !head.contains($0) }.map { ranked[$0] }
    return mixed
  }
}
