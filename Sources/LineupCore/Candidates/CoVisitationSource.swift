/// "People who watched what you just watched went on to watch this": the co-visitation
/// sets of the user's newest items, the newest weighing most (1, 1/2, 1/3 …), each set's
/// counts normalized to its top item, summed and normalized again.
package struct CoVisitationSource: CandidateSource {
  package var name: CandidateSourceName { .coVisitation }

  package init() {}

  package func candidates(for inputs: CandidateInputs) -> [SourcedCandidate] {
    var totals: [String: Double] = [:]
    var because: [String: String] = [:]
    for (position, seenItem) in inputs.recentItems.enumerated() {
      guard let entries = inputs.coVisits[seenItem], let top = entries.first?.score, top > 0 else { continue }
      let recency = 1 / Double(position + 1)
      for entry in entries where entry.score > 0 && entry.itemID != seenItem {
        let add = recency * entry.score / top
        if add > totals[entry.itemID, default: 0] { because[entry.itemID] = seenItem }
        totals[entry.itemID, default: 0] += add
      }
    }
    guard let best = totals.values.max(), best > 0 else { return [] }
    return totals.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { id, total in
      SourcedCandidate(
        itemID: id, score: total / best,
        reason: Reason(code: .coVisitation, text: "Often watched after \(because[id] ?? "what you watched")", weight: 0))
    }
  }
}

extension ReasonCode {
  /// Often visited right after an item the user visited recently.
  package static let coVisitation = ReasonCode(rawValue: "CO_VISITATION")
}
