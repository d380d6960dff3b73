/// The recommendation pipeline of named stages, the same for every slate it builds
/// (personalized, cold user, or the baseline when a dependency is down):
///
/// 1. candidate sources propose items (`CandidateSource`);
/// 2. the filter drops unknown, unavailable, excluded and already-seen items
///    (`CandidateFilter`), and the scorer blends the sources' scores (`BlendedScorer`);
/// 3. exploration keeps a share for items outside the user's usual categories
///    (`ExplorationMixer`);
/// 4. the guardrails pick the slate (`SlateSelector`: new-creator floor, per-creator cap,
///    category spread), each adjustment a reason on the item and a report in provenance.
///
/// Pure and synchronous: the I/O happened before (`CandidateInputs`), so a slate costs
/// microseconds and tests need no store.
package struct RankingPipeline: Sendable {
  package var sources: [any CandidateSource]
  package var settings: RankingSettings

  package init(sources: [any CandidateSource], settings: RankingSettings) {
    self.sources = sources
    self.settings = settings
  }

  /// Every source: model, co-visitation, country trending, new creators.
  package static func standard(settings: RankingSettings = RankingSettings()) -> RankingPipeline {
    RankingPipeline(
      sources: [
        ModelCandidateSource(), CoVisitationSource(), CountryTrendingSource(settings: settings), NewCreatorSource(settings: settings),
      ],
      settings: settings)
  }

  /// What every source not disabled for the request proposed, in the pipeline's source order.
  package typealias Proposals = [(source: CandidateSourceName, candidates: [SourcedCandidate])]

  /// The slate for `inputs.request`.
  package func rank(_ inputs: CandidateInputs) -> RankedSlate {
    rank(proposals(inputs), inputs: inputs)
  }

  /// Stages 2–4 on proposals already made: what the pipeline benchmark times as "ranking plus
  /// guardrails", apart from the sources' own work.
  package func rank(_ proposals: Proposals, inputs: CandidateInputs) -> RankedSlate {
    let (ranked, sources) = rankedCandidates(proposals, inputs: inputs)
    return select(ranked, size: inputs.request.limit, sources: sources, inputs: inputs)
  }

  /// Stage 1: the proposals of the sources not disabled for the request.
  package func proposals(_ inputs: CandidateInputs) -> Proposals {
    sources.filter { !inputs.disabledSources.contains($0.name) }.map { (source: $0.name, candidates: $0.candidates(for: inputs)) }
  }

  /// Stages 1–3: proposals, filter, blend and exploration, best first; and the sources that
  /// proposed anything.
  package func rankedCandidates(_ inputs: CandidateInputs) -> (ranked: [RankedCandidate], sources: Set<CandidateSourceName>) {
    rankedCandidates(proposals(inputs), inputs: inputs)
  }

  /// Stages 2–3 on proposals already made.
  package func rankedCandidates(_ proposals: Proposals, inputs: CandidateInputs) -> (ranked: [RankedCandidate], sources: Set<CandidateSourceName>) {
    let filter = CandidateFilter(inputs, settings: settings)
    let scored = BlendedScorer(settings: settings).rank(proposals, filter: filter)
    let mixer = ExplorationMixer(settings: settings)
    let usual = mixer.usualCategories(inputs, ranked: scored)
    let ranked = mixer.mix(consume scored, size: inputs.request.limit, usual: usual, catalog: inputs.catalog)
    return (ranked, Set(proposals.filter { !$0.candidates.isEmpty }.map(\.source)))
  }

  /// Stage 4: the guardrails pick `size` items from `ranked` in its order.
  package func select(_ ranked: [RankedCandidate], size: Int, sources: Set<CandidateSourceName>, inputs: CandidateInputs) -> RankedSlate {
    let (picks, reports) = SlateSelector(policy: settings.guardrails).pick(ranked, size: size)
    // Served items, with their reasons, for the picks only.
    let items = picks.map { SlateSelector.served(ranked[$0.index].servedItem, adding: $0.guardrail) }
    return RankedSlate(items: items, guardrails: reports, ranked: ranked, sources: sources, trendingLevel: Self.trendingLevel(inputs))
  }

  /// The highest fallback rung the country's popularity came from, for provenance.
  static func trendingLevel(_ inputs: CandidateInputs) -> FallbackLevel {
    guard let country = inputs.request.context.country else { return .global }
    if let live = inputs.liveTrending, live.contains(where: { inputs.catalog[$0.itemID]?.isAvailable == true }) { return .countryLive }
    if inputs.fallback.countries[country]?.isEmpty == false { return .countryFile }
    return .global
  }
}

/// What the pipeline produced: the served items, the guardrail reports, and the ranked
/// candidates behind them (for ExplainRecommendation).
package struct RankedSlate: Sendable {
  /// The slate, guardrails applied, each item with its reasons.
  package var items: [ServedItem]
  package var guardrails: [GuardrailReport]
  /// Every admitted candidate in the order the selector saw them.
  package var ranked: [RankedCandidate]
  /// Sources that proposed anything.
  package var sources: Set<CandidateSourceName>
  /// Where the country's popularity came from.
  package var trendingLevel: FallbackLevel
}
