/// An item as served: the catalog entry plus its score and reasons.
package struct ServedItem: Sendable, Equatable {
  package var item: CatalogItem
  /// Relevance in [0, 1].
  package var score: Double
  /// Never empty once a slate is served.
  package var reasons: [Reason]

  package init(item: CatalogItem, score: Double, reasons: [Reason]) {
    self.item = item
    self.score = score
    self.reasons = reasons
  }
}

/// A served list of items with how it was produced.
package struct Slate: Sendable, Equatable {
  package var items: [ServedItem]
  package var provenance: Provenance

  package init(items: [ServedItem], provenance: Provenance) {
    self.items = items
    self.provenance = provenance
  }
}
