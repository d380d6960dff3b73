/// One item of the catalog, as the serving path needs it.
package struct CatalogItem: Sendable, Equatable, Identifiable {
  package var id: String
  package var creatorID: String
  package var category: String
  /// Seconds since 1970-01-01T00:00:00Z.
  package var createdAt: Int64
  /// Whether the item's creator counts as new. For demo-file items the file says so; for
  /// ingested items the catalog snapshot derives it from `creatorFirstSeen` and the
  /// new-creator window each time it is rebuilt.
  package var isNewCreator: Bool
  /// When the creator was first seen on the platform (seconds since the epoch), if known.
  package var creatorFirstSeen: Int64?
  /// False hides the item from every slate (taken down, ended live stream …).
  package var isAvailable: Bool

  package init(
    id: String,
    creatorID: String,
    category: String,
    createdAt: Int64,
    isNewCreator: Bool,
    creatorFirstSeen: Int64? = nil,
    isAvailable: Bool = true
  ) {
    self.id = id
    self.creatorID = creatorID
    self.category = category
    self.createdAt = createdAt
    self.isNewCreator = isNewCreator
    self.creatorFirstSeen = creatorFirstSeen
    self.isAvailable = isAvailable
  }
}
