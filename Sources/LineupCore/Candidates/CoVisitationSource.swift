/// "People who watched what you just watched went on to watch this": the co-visitation
/// sets of the user's newest items, the newest weighing most (1, 1/2, 1/3 …), each set's
/// counts normalized to its top item, summed and normalized again.
package struct CoVisitationSource: CandidateSource {
  package var name: CandidateSourceName { .coVisitation }

  package init() {}

  package func candidates(for inputs: CandidateInputs) -> [SourcedCandidate] {
    // Per proposed item: its summed score and the seen item (by position) that added the
    // most to it. Positions, not ids, so the reason's text is made once per seen item.
    var totals: [String: (total: Double, because: Int, best: Double)] = [:]
    totals.reserveCapacity(inputs.coVisits.values.reduce(0) { $0 + $1.count })
    var becauseIDs: [String] = []
    var setsLeft = inputs.coVisits.count
    for (position, seenItem) in inputs.recentItems.enumerated() where setsLeft > 0 {
      guard let entries = inputs.coVisits[seenItem] else { continue }
      setsLeft -= 1
      guard let top = entries.first?.score, top > 0 else { continue }
      let recency = 1 / Double(position + 1)
      let because = becauseIDs.count
      becauseIDs.append(seenItem)
      for entry in entries where entry.score > 0 && entry.itemID != seenItem {
        let add = recency * entry.score / top
        // One hash per entry: the value is updated in place.
        update(&totals[entry.itemID, default: (0, because, 0)], adding: add, because: because)
      }
    }
    guard let best = totals.values.map(\.total).max(), best > 0 else { return [] }
    let reasons = becauseIDs.map { Reason(code: .coVisitation, text: "Often watched after \($0)", weight: 0) }
    return totals.sorted { $0.value.total > $1.value.total || ($0.value.total == $1.value.total && $0.key < $1.key) }.map { id, value in
      SourcedCandidate(itemID: id, score: value.total / best, reason: reasons[value.because])
    }
  }

  private func update(_ value: inout (total: Double, because: Int, best: Double), adding add: Double, because: Int) {
    value.total += add
    if add > value.best { (value.because, value.best) = (because, add) }
  }
}

extension ReasonCode {
  /// Often visited right after an item the user visited recently.
  package static let coVisitation = ReasonCode(rawValue: "CO_VISITATION")
}
