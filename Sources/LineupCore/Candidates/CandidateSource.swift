/// One stage of the ranking pipeline that proposes items: the model's precomputed
/// candidates, co-visitation, country trending, the new-creator pool. A source reads only
/// the `CandidateInputs` fetched before ranking, so the pipeline's I/O is the one or two
/// pipelined store reads the `Recommender` makes, never a read per source.
package protocol CandidateSource: Sendable {
  /// Reported in explanations and used to look up the source's blend weight.
  var name: CandidateSourceName { get }

  /// Proposals, best first, each with this source's score in (0, 1] and the reason it
  /// gives. Items may be unknown to the catalog or unavailable; the filter stage drops them.
  func candidates(for inputs: CandidateInputs) -> [SourcedCandidate]
}

/// A candidate source's stable name (open-ended like `ReasonCode`, so configuration and
/// explanations can name sources added later).
package struct CandidateSourceName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  package let rawValue: String
  package init(rawValue: String) { self.rawValue = rawValue }
  package var description: String { rawValue }

  /// The model pipeline's precomputed candidates for the user.
  package static let model = CandidateSourceName(rawValue: "model")
  /// Items other users visited right after the items this user just visited.
  package static let coVisitation = CandidateSourceName(rawValue: "co_visitation")
  /// What is popular in the user's country (the fallback ladder).
  package static let trending = CandidateSourceName(rawValue: "trending")
  /// Items of creators new to the platform.
  package static let newCreators = CandidateSourceName(rawValue: "new_creators")
}

/// One item a source proposes.
package struct SourcedCandidate: Sendable, Equatable {
  package var itemID: String
  /// The source's own score for the item, in (0, 1].
  package var score: Double
  /// Why the source proposes it; its weight is filled in by the blend.
  package var reason: Reason
  /// The item's ordinal in the request's `CatalogIndex`, when the source looked the item up
  /// already (the trending source, through the ladder): the blend then skips its own lookup.
  /// A hint only — the blend checks that the ordinal numbers `itemID`.
  package var ordinal: Int32?

  package init(itemID: String, score: Double, reason: Reason, ordinal: Int32? = nil) {
    self.itemID = itemID
    self.score = score
    self.reason = reason
    self.ordinal = ordinal
  }
}
