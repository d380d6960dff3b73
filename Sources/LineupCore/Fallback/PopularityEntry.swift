/// One ranked entry of a popularity baseline: an item and its popularity in [0, 1].
package struct PopularityEntry: Sendable, Equatable {
  package var itemID: String
  package var score: Double

  package init(itemID: String, score: Double) {
    self.itemID = itemID
    self.score = score
  }
}

/// Which rung of the fallback ladder produced an answer, best first.
package enum FallbackLevel: Int, Sendable, Comparable, CaseIterable {
  /// Live popularity for the user's country, from the store.
  case countryLive = 1
  /// The country's list from the fallback-data files.
  case countryFile = 2
  /// The global list from the fallback-data files.
  case global = 3

  package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
