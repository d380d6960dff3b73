/// The scoring stage: joins every source's proposals by item and scores each admitted item
/// by the weighted mean of its source scores. The weights in play are those of the sources
/// that proposed anything this request, so a cold user's trending-only slate still spans
/// (0, 1] and a missing source does not drag every score down.
package struct BlendedScorer: Sendable {
  package var settings: RankingSettings

  package init(settings: RankingSettings) {
    self.settings = settings
  }

  /// Admitted candidates, best first (ties by item id, so equal inputs rank equally).
  package func rank(_ proposals: [(source: CandidateSourceName, candidates: [SourcedCandidate])], filter: CandidateFilter) -> [RankedCandidate] {
    let active = proposals.filter { !$0.candidates.isEmpty && settings.weight(of: $0.source) > 0 }
    let total = active.reduce(0) { $0 + settings.weight(of: $1.source) }
    guard total > 0 else { return [] }

    // The hot loop of the pipeline: one hash lookup per proposal. `slots` maps an item to its
    // index in `ranked`, or to `rejected` once the filter turned it away. It starts with the
    // excluded and seen ids already rejected, so a proposal costs one lookup in `slots` and,
    // the first time an item is proposed, one in the catalog — instead of one more per
    // filter set. (Carrying the catalog item in each proposal to spare that lookup made the
    // pipeline 20% slower: proposals are copied more often than they are looked up.)
    let rejected = -1
    let proposalCount = active.reduce(0) { $0 + $1.candidates.count }
    var slots: [String: Int] = [:]
    slots.reserveCapacity(proposalCount + filter.excluded.count + filter.seen.count)
    for id in filter.excluded { slots[id] = rejected }
    for id in filter.seen { slots[id] = rejected }
    var ranked: [RankedCandidate] = []
    ranked.reserveCapacity(proposalCount)
    for (source, candidates) in active {
      let share = settings.weight(of: source) / total
      // By index, reading the fields needed: copying each whole candidate out of the array
      // would retain and release every string in it.
      for index in candidates.indices {
        let itemID = candidates[index].itemID
        let score = min(1, max(0, candidates[index].score))
        // One hash for the usual case, an item seen for the first time.
        if let slot = slots.updateValue(ranked.count, forKey: itemID) {
          slots[itemID] = slot
          // A source proposing an item twice counts once, with its first (best) score.
          guard slot != rejected, ranked[slot].contributions.last?.source != source else { continue }
          ranked[slot].score += score * share
          ranked[slot].contributions.append(
            SourceContribution(
              source: source, sourceScore: score, weight: share, contribution: score * share, reason: candidates[index].reason))
          continue
        }
        // Excluded and seen ids are in `slots` already; what is left is the catalog's say.
        guard let item = filter.catalog[itemID], item.isAvailable else {
          slots[itemID] = rejected
          continue
        }
        let contribution = SourceContribution(
          source: source, sourceScore: score, weight: share, contribution: score * share, reason: candidates[index].reason)
        ranked.append(RankedCandidate(item: item, score: contribution.contribution, contributions: [contribution]))
      }
    }
    // In place: the sort moves the candidates bitwise, where sorting indices and gathering
    // copies would retain and release everything each candidate holds. (Sorting indices and
    // then following the permutation's cycles with swaps measured 10% slower.)
    ranked.sort { a, b in a.score > b.score || (a.score == b.score && a.item.id < b.item.id) }
    for index in ranked.indices {
      ranked[index].score = min(1, ranked[index].score)
      if ranked[index].contributions.count > 1 { ranked[index].contributions.sort { $0.contribution > $1.contribution } }
    }
    return ranked
  }
}
