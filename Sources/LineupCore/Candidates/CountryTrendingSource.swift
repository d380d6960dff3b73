/// What is popular in the user's country: the fallback ladder (live popularity, then the
/// country's file, then the global list) over the live entries read with the request's
/// other state, so it costs no round trip of its own.
package struct CountryTrendingSource: CandidateSource {
  package var name: CandidateSourceName { .trending }
  /// How deep into the ladder to propose (`RankingSettings.trendingDepth`).
  package var settings: RankingSettings

  package init(settings: RankingSettings = RankingSettings()) {
    self.settings = settings
  }

  /// Scored by rank, 1 down to 0.5: the rungs' own scores are on different scales (live
  /// counters normalized to their top item, the files' baselines), and the ladder's order —
  /// live first — is what must survive the blend.
  package func candidates(for inputs: CandidateInputs) -> [SourcedCandidate] {
    let ladder = FallbackLadder(data: inputs.fallback, catalog: inputs.catalog, live: nil)
    let picks = ladder.picks(
      country: inputs.request.context.country, limit: settings.trendingDepth(for: inputs.request), excluding: inputs.request.excludedItemIDs,
      liveEntries: inputs.liveTrending
    ).picks
    return picks.enumerated().map { rank, pick in
      SourcedCandidate(
        itemID: pick.item.id, score: 1 - 0.5 * Double(rank) / Double(max(1, picks.count)), reason: pick.reason, ordinal: pick.ordinal)
    }
  }
}
