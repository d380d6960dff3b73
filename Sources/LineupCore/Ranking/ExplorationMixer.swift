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
    var explored = [Bool](repeating: false, count: ranked.count)
    var exploredCount = 0
    for index in ranked.indices where exploredCount < slots && !usual.contains(ranked[index].item.category) {
      explored[index] = true
      exploredCount += 1
    }
    guard exploredCount > 0 else { return ranked }
    // The head: the best (size − explored) usual items and the explored ones, in rank order
    // (so merged by score); then everything else, in rank order. A stable partition.
    var usualLeft = size - exploredCount
    var inHead = explored
    for index in ranked.indices where usualLeft > 0 && !explored[index] {
      inHead[index] = true
      usualLeft -= 1
    }
    var mixed: [RankedCandidate] = []
    mixed.reserveCapacity(ranked.count)
    for index in ranked.indices where inHead[index] {
      var candidate = ranked[index]
      // Marked only when exploration brought it forward: inside the first `size` it was in
      // the slate anyway.
      candidate.explored = explored[index] && index >= size
      mixed.append(candidate)
    }
    for index in ranked.indices where !inHead[index] { mixed.append(ranked[index]) }
    return mixed
  }
}
