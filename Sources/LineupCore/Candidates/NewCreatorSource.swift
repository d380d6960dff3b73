/// The new-creator pool: the newest available items of creators new to the platform that
/// the country's popularity lists do not already hold (those reach the slate through the
/// trending source, which ranks them as the country does). It exists so the new-creator
/// floor always has eligible items to pick from; its scores are modest and fall with age,
/// so it supplies candidates rather than lifting every new creator above what is popular.
package struct NewCreatorSource: CandidateSource {
  package var name: CandidateSourceName { .newCreators }
  /// How many items to propose (`RankingSettings.newCreatorDepth`).
  package var settings: RankingSettings

  package init(settings: RankingSettings = RankingSettings()) {
    self.settings = settings
  }

  package func candidates(for inputs: CandidateInputs) -> [SourcedCandidate] {
    let live = Set((inputs.liveTrending ?? []).lazy.map(\.itemID))
    let file = inputs.request.context.country.flatMap { inputs.fallback.countryItemIDs[$0] } ?? []
    let depth = settings.newCreatorDepth(slateSize: inputs.request.limit)
    var proposals: [SourcedCandidate] = []
    for item in inputs.newCreatorItems where proposals.count < depth && !live.contains(item.id) && !file.contains(item.id) {
      proposals.append(
        SourcedCandidate(itemID: item.id, score: 0.5 / (1 + Double(proposals.count) / 10), reason: FallbackLadder.newCreatorReason))
    }
    return proposals
  }
}
