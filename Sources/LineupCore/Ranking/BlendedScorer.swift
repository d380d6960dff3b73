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

    // The hot loop of the pipeline: at most one String hash per proposal, the catalog's,
    // which numbers the item (none when the source passed the ordinal on); the rest is
    // integers. `slots` maps an item's ordinal to its index
    // among the candidates, or to `rejected` once the filter turned it away; it starts with
    // the excluded and seen items already rejected, so every filter rule costs one lookup in
    // `slots`. (Carrying the catalog item in each proposal to spare the catalog lookup made
    // the pipeline 20% slower: proposals are copied more often than they are looked up.)
    let catalog = filter.catalog
    let proposalCount = active.reduce(0) { $0 + $1.candidates.count }
    var slots = OrdinalSlots(capacity: proposalCount + filter.excluded.count + filter.seen.count)
    // Ids the catalog does not know can never be admitted: nothing to reject in advance.
    for id in filter.excluded { if let ordinal = catalog.ordinal(of: id) { slots.set(ordinal, to: Self.rejected) } }
    for id in filter.seen { if let ordinal = catalog.ordinal(of: id) { slots.set(ordinal, to: Self.rejected) } }
    // The candidates are built in a buffer of their own and moved, each once, into the result
    // in rank order (below), so neither the blend nor the sort copies, retains or releases
    // what a candidate holds.
    let candidates = UnsafeMutablePointer<RankedCandidate>.allocate(capacity: proposalCount)
    defer { candidates.deallocate() }
    var count = 0
    for (source, proposed) in active {
      let share = settings.weight(of: source) / total
      // By index, reading the fields needed: copying each whole proposal out of the array
      // would retain and release every string in it.
      for index in proposed.indices {
        // Unknown to the catalog: no creator or category to apply guardrails to.
        let ordinal: Int32
        if let hint = proposed[index].ordinal, catalog.numbers(hint, as: proposed[index].itemID) {
          ordinal = hint
        } else if let found = catalog.ordinal(of: proposed[index].itemID) {
          ordinal = found
        } else {
          continue
        }
        let score = min(1, max(0, proposed[index].score))
        guard let slot = slots.claim(ordinal, as: Int32(count)) else {
          // The first proposal of the item: what is left is whether it is available.
          let item = catalog.item(at: ordinal)
          guard item.isAvailable else {
            slots.set(ordinal, to: Self.rejected)
            continue
          }
          let contribution = SourceContribution(
            source: source, sourceScore: score, weight: share, contribution: score * share, reason: proposed[index].reason)
          (candidates + count).initialize(
            to: RankedCandidate(
              item: item, score: contribution.contribution, contributions: [contribution], creatorKey: catalog.creatorKey(at: ordinal),
              categoryKey: catalog.categoryKey(at: ordinal)))
          count += 1
          continue
        }
        // A source proposing an item twice counts once, with its first (best) score.
        guard slot != Self.rejected else { continue }
        let candidate = candidates + Int(slot)
        guard candidate.pointee.contributions.last?.source != source else { continue }
        candidate.pointee.score += score * share
        candidate.pointee.contributions.append(
          SourceContribution(source: source, sourceScore: score, weight: share, contribution: score * share, reason: proposed[index].reason))
      }
    }
    // Rank order by sorting indices on a flat array of scores (ties by item id), then one move
    // per candidate into the result: sorting the candidates themselves moved each ~90-byte
    // candidate about log2(n) times.
    let scores = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
      for index in 0..<count { (buffer.baseAddress! + index).initialize(to: candidates[index].score) }
      initialized = count
    }
    var order = Array(0..<count)
    scores.withUnsafeBufferPointer { scores in
      order.sort { a, b in scores[a] > scores[b] || (scores[a] == scores[b] && candidates[a].item.id < candidates[b].item.id) }
    }
    return [RankedCandidate](unsafeUninitializedCapacity: count) { buffer, initialized in
      for (position, index) in order.enumerated() {
        // Moved, then finished in place: a `var` copy here was an outlined copy and destroy
        // of every candidate.
        let candidate = buffer.baseAddress! + position
        candidate.moveInitialize(from: candidates + index, count: 1)
        candidate.pointee.score = min(1, candidate.pointee.score)
        if candidate.pointee.contributions.count > 1 { candidate.pointee.contributions.sort { $0.contribution > $1.contribution } }
      }
      initialized = count
    }
  }

  /// The slot of an item the filter turned away.
  private static let rejected: Int32 = -1
}
