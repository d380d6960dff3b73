/// Why one item is, or is not, in a user's slate: the factors of its score, the sources that
/// proposed it, the guardrails that moved it and the reasons it carries — what
/// ExplainRecommendation answers, built from the same `RankedSlate` GetRecommendations
/// serves, so the two agree.
package struct Explanation: Sendable, Equatable {
  /// One factor of the item's score.
  package struct Factor: Sendable, Equatable {
    /// The candidate source, e.g. "model", "co_visitation", "trending", "new_creators".
    package var name: String
    /// The source's own score for the item.
    package var value: Double
    /// What it added to the blended score (value × the source's share of the blend).
    package var contribution: Double

    package init(name: String, value: Double, contribution: Double) {
      self.name = name
      self.value = value
      self.contribution = contribution
    }
  }

  package var itemID: String
  /// 1-based position in the slate; nil when the item is not in it.
  package var position: Int?
  package var score: Double?
  package var factors: [Factor]
  /// Candidate sources that proposed the item.
  package var sources: [String]
  /// Guardrails (and exploration) that brought the item in or kept it out.
  package var guardrails: [String]
  /// The reasons the item carries in the slate (or would carry, when ranked but left out).
  package var reasons: [Reason]
  /// Why it is not in the slate: "unknown_item", "excluded", "unavailable", "already_seen",
  /// "creator_cap", "displaced_by_guardrails", "below_cutoff" or "not_a_candidate"; nil
  /// when it is in.
  package var notInSlateReason: String?
  package var provenance: Provenance

  package init(itemID: String, slate: RankedSlate, inputs: CandidateInputs, settings: RankingSettings, provenance: Provenance) {
    self.itemID = itemID
    self.provenance = provenance
    let index = slate.items.firstIndex { $0.item.id == itemID }
    let rankIndex = slate.ranked.firstIndex { $0.item.id == itemID }
    let ranked = rankIndex.map { slate.ranked[$0] }
    position = index.map { $0 + 1 }
    score = ranked?.score
    factors = ranked?.contributions.map { Factor(name: $0.source.rawValue, value: $0.sourceScore, contribution: $0.contribution) } ?? []
    sources = ranked?.contributions.map(\.source.rawValue) ?? []
    reasons = index.map { slate.items[$0].reasons } ?? ranked?.servedItem.reasons ?? []

    var guardrails = reasons.compactMap { Self.guardrailNames[$0.code] }
    if ranked?.explored == true { guardrails.append(Self.explorationName) }
    let filter = CandidateFilter(inputs, settings: settings)
    if index != nil {
      notInSlateReason = nil
    } else if case .failure(let verdict) = filter.admit(itemID) {
      notInSlateReason = verdict.rawValue
    } else if let rankIndex, let ranked {
      let cap = settings.guardrails.creatorCap(slateSize: inputs.request.limit)
      if slate.items.count(where: { $0.item.creatorID == ranked.item.creatorID }) >= cap {
        notInSlateReason = SlateSelector.creatorCapName
        guardrails.append(SlateSelector.creatorCapName)
      } else if rankIndex < inputs.request.limit {
        // Ranked high enough, but the new-creator floor or the category spread took its place.
        notInSlateReason = "displaced_by_guardrails"
      } else {
        notInSlateReason = "below_cutoff"
      }
    } else {
      notInSlateReason = "not_a_candidate"
    }
    self.guardrails = guardrails
  }

  /// The name reported for exploration among the guardrails.
  package static let explorationName = "exploration"

  private static let guardrailNames: [ReasonCode: String] = [
    .newCreatorFloor: SlateSelector.newCreatorFloorName,
    .categorySpread: SlateSelector.categorySpreadName,
    .creatorCap: SlateSelector.creatorCapName,
  ]
}
