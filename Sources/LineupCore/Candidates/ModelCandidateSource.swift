/// The model pipeline's precomputed candidates (`lineup:cand:{u:<user>}`), scores
/// normalized to the best one so that only the model's ratios matter in the blend.
package struct ModelCandidateSource: CandidateSource {
  package var name: CandidateSourceName { .model }

  package init() {}

  package func candidates(for inputs: CandidateInputs) -> [SourcedCandidate] {
    guard let model = inputs.model, let best = model.items.first?.score, best > 0, best.isFinite else { return [] }
    let reason = Reason(code: .modelScore, text: "Picked for you by model \(model.modelVersion)", weight: 0)
    return model.items.compactMap { entry in
      guard entry.score.isFinite, entry.score > 0 else { return nil }
      return SourcedCandidate(itemID: entry.itemID, score: min(1, entry.score / best), reason: reason)
    }
  }
}
