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

    var byItem: [String: RankedCandidate] = [:]
    var rejected: Set<String> = []
    for (source, candidates) in active {
      let share = settings.weight(of: source) / total
      var seenBySource: Set<String> = []
      for candidate in candidates where !rejected.contains(candidate.itemID) {
        // A source proposing an item twice counts once, with its first (best) score.
        guard seenBySource.insert(candidate.itemID).inserted else { continue }
        let score = min(1, max(0, candidate.score))
        let contribution = SourceContribution(
          source: source, sourceScore: score, weight: share, contribution: score * share, reason: candidate.reason)
        if var ranked = byItem[candidate.itemID] {
          ranked.score += contribution.contribution
          ranked.contributions.append(contribution)
          byItem[candidate.itemID] = ranked
          continue
        }
        switch filter.admit(candidate.itemID) {
        case .success(let item):
          byItem[candidate.itemID] = RankedCandidate(item: item, score: contribution.contribution, contributions: [contribution])
        case .failure:
          rejected.insert(candidate.itemID)
        }
      }
    }
    return byItem.values.map { candidate in
      var candidate = candidate
      candidate.score = min(1, candidate.score)
      candidate.contributions.sort { $0.contribution > $1.contribution }
      return candidate
    }.sorted { $0.score > $1.score || ($0.score == $1.score && $0.item.id < $1.item.id) }
  }
}
