/// One item of the catalog, as the serving path needs it.
package struct CatalogItem: Sendable, Equatable, Identifiable {
  package var id: String
  package var creatorID: String
  package var category: String
  /// Seconds since 1970-01-01T00:00:00Z.
  package var createdAt: Int64
  /// Whether the item's creator counts as new (the catalog pipeline decides; later issues
  /// derive it from the creator's first-seen time).
  package var isNewCreator: Bool

  package init(id: String, creatorID: String, category: String, createdAt: Int64, isNewCreator: Bool) {
    self.id = id
    self.creatorID = creatorID
    self.category = category
    self.createdAt = createdAt
    self.isNewCreator = isNewCreator
  }
}
