/// Popularity-by-country fallback: live counters for the country, then the country's file,
/// then the global file. Lower rungs fill up what a higher rung could not, so a slate has
/// `limit` distinct items whenever the data holds that many.
package struct FallbackLadder: Sendable {
  /// What the ladder served.
  package struct Result: Sendable {
    package var items: [ServedItem]
    /// The highest rung that contributed an item (global when nothing did).
    package var level: FallbackLevel
    /// Set when the live rung failed (the ladder went on without it).
    package var liveFailure: (any Error)?
  }

  package let data: FallbackData
  /// Items by id: the files' catalog overlaid by ingested items (`CatalogHolder`).
  package let catalog: any CatalogLookup
  package let live: (any PopularityStore)?

  /// - Parameter catalog: defaults to the files' own catalog.
  package init(data: FallbackData, catalog: (any CatalogLookup)? = nil, live: (any PopularityStore)?) {
    self.data = data
    self.catalog = catalog ?? data.catalog
    self.live = live
  }

  /// Up to `limit` distinct items for `country`, skipping `excluded` ids, unavailable items
  /// and, when `category` is set, items of other categories. The live rung is asked only
  /// when `liveDeadline` is set (nil: no time left, or the store is known to be down).
  package func rank(
    country: CountryCode?,
    limit: Int,
    excluding excluded: Set<String> = [],
    category: String? = nil,
    liveDeadline: ContinuousClock.Instant? = .now + .milliseconds(50)
  ) async -> Result {
    var liveEntries: [PopularityEntry]?
    var liveFailure: (any Error)?
    if let country, let live, let liveDeadline {
      do {
        // Over-fetch by what filters may drop, so one call is usually enough.
        liveEntries = try await live.topItems(
          in: country, limit: Self.liveReadLimit(limit: limit, excluded: excluded.count, category: category), deadline: liveDeadline)
      } catch {
        liveFailure = error
      }
    }
    var result = rank(country: country, limit: limit, excluding: excluded, category: category, liveEntries: liveEntries)
    result.liveFailure = liveFailure
    return result
  }

  /// The same ladder over live entries read beforehand (nil: not read), so a caller that
  /// fetched the country's popularity with other reads ranks without another round trip.
  package func rank(
    country: CountryCode?,
    limit: Int,
    excluding excluded: Set<String> = [],
    category: String? = nil,
    liveEntries: [PopularityEntry]?
  ) -> Result {
    let (picks, level) = picks(country: country, limit: limit, excluding: excluded, category: category, liveEntries: liveEntries)
    let items = picks.map { pick in
      ServedItem(item: pick.item, score: pick.score, reasons: pick.item.isNewCreator ? [pick.reason, Self.newCreatorReason] : [pick.reason])
    }
    return Result(items: items, level: level, liveFailure: nil)
  }

  /// One item the ladder picked: the catalog's item, the rung's score and the rung's reason.
  package struct Pick: Sendable {
    package var item: CatalogItem
    /// The item's ordinal when the catalog is a `CatalogIndex` (passed on to the blend).
    package var ordinal: Int32?
    package var score: Double
    package var reason: Reason
  }

  /// The ladder's picks before they become served items (the trending candidate source
  /// needs only these), and the highest rung that contributed (global when none did).
  package func picks(
    country: CountryCode?,
    limit: Int,
    excluding excluded: Set<String> = [],
    category: String? = nil,
    liveEntries: [PopularityEntry]?
  ) -> (picks: [Pick], level: FallbackLevel) {
    var builder = SlateBuilder(limit: limit, excluded: excluded, category: category, catalog: catalog)
    if let country, let liveEntries {
      builder.take(liveEntries, level: .countryLive, reason: Self.countryReason(country))
    }
    if let country, let entries = data.countries[country] {
      builder.take(entries, level: .countryFile, reason: Self.countryReason(country))
    }
    builder.take(data.global, level: .global, reason: Self.globalReason)
    return (builder.picks, builder.firstLevel ?? .global)
  }

  /// How many live entries to read for a slate of `limit`: what the filters may drop on top.
  package static func liveReadLimit(limit: Int, excluded: Int, category: String?) -> Int {
    limit + excluded + (category == nil ? 0 : limit * 4)
  }

  private static func countryReason(_ country: CountryCode) -> (Double) -> Reason {
    // The text once per request, not once per item.
    let text = "Popular in \(country) right now"
    return { score in Reason(code: .popularInCountry, text: text, weight: score) }
  }

  private static let globalReason: @Sendable (Double) -> Reason = { score in
    Reason(code: .popularGlobally, text: "Popular worldwide right now", weight: score)
  }

  static let newCreatorReason = Reason(code: .newCreator, text: "From a creator new to the platform", weight: 0)
}

/// Accumulates distinct, eligible items from successive rungs until the slate is full.
private struct SlateBuilder {
  let limit: Int
  let excluded: Set<String>
  let category: String?
  let catalog: any CatalogLookup
  private(set) var picks: [FallbackLadder.Pick] = []
  private(set) var firstLevel: FallbackLevel?
  private var taken: Set<String> = []

  init(limit: Int, excluded: Set<String>, category: String?, catalog: any CatalogLookup) {
    self.limit = limit
    self.excluded = excluded
    self.category = category
    self.catalog = catalog
    picks.reserveCapacity(limit)
    taken.reserveCapacity(limit)
  }

  mutating func take(_ entries: [PopularityEntry], level: FallbackLevel, reason: (Double) -> Reason) {
    for entry in entries {
      guard picks.count < limit else { return }
      // Live counters may name items the catalog does not know (yet); they cannot be served
      // without a creator and category, so they are skipped. The emptiness check spares
      // hashing the id for the usual empty exclusion set.
      guard let (item, ordinal) = catalog.numberedItem(entry.itemID),
        item.isAvailable,
        excluded.isEmpty || !excluded.contains(entry.itemID),
        category == nil || item.category == category,
        taken.insert(entry.itemID).inserted
      else { continue }
      picks.append(FallbackLadder.Pick(item: item, ordinal: ordinal, score: entry.score, reason: reason(entry.score)))
      if firstLevel == nil { firstLevel = level }
    }
  }
}
