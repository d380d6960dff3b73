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

  /// `ranked` is reordered in place (pass it with `consume` to spare a copy): a stable
  /// partition that moves the head — the best (size − explored) usual items and the explored
  /// ones — to the front, each by swaps past the few items it jumps, so no candidate is
  /// copied, retained or released. With the request's `catalog`, numbered candidates are
  /// matched against the usual categories by key rather than by name.
  package func mix(_ ranked: consuming [RankedCandidate], size: Int, usual: Set<String>, catalog: CatalogIndex? = nil) -> [RankedCandidate] {
    var ranked = ranked
    let slots = settings.explorationSlots(slateSize: size)
    guard slots > 0, !usual.isEmpty else { return ranked }
    var explored = [Bool](repeating: false, count: ranked.count)
    var exploredCount = 0
    // A user has a handful of usual categories: comparing against them in a small array is
    // cheaper than hashing every candidate's category for the set (3% of the pipeline), and
    // comparing keys cheaper than comparing names.
    let usualList = Array(usual)
    let usualKeys = catalog.map { catalog in usual.compactMap { catalog.categoryKey(of: $0) } }
    func isUsual(_ candidate: borrowing RankedCandidate) -> Bool {
      if let usualKeys, candidate.categoryKey >= 0 { return usualKeys.contains(candidate.categoryKey) }
      return usualList.contains(candidate.item.category)
    }
    for index in ranked.indices where exploredCount < slots && !isUsual(ranked[index]) {
      explored[index] = true
      exploredCount += 1
    }
    guard exploredCount > 0 else { return ranked }
    // The head in rank order (so merged by score); everything else keeps its order behind it.
    var usualLeft = size - exploredCount
    var head: [Int] = []
    head.reserveCapacity(size)
    for index in ranked.indices where explored[index] || usualLeft > 0 {
      if !explored[index] { usualLeft -= 1 }
      head.append(index)
      if head.count == size { break }
    }
    for (position, index) in head.enumerated() {
      // Marked only when exploration brought it forward: inside the first `size` it was in
      // the slate anyway.
      ranked[index].explored = explored[index] && index >= size
      // Items between `position` and `index` are all outside the head: rotate the one at
      // `index` down to `position`, shifting them up by one, order kept.
      var at = index
      while at > position {
        ranked.swapAt(at, at - 1)
        at -= 1
      }
    }
    return ranked
  }
}
