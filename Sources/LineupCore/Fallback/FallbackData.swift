/// The popularity baselines and demo catalog loaded from `fallback-data/`: what Lineup serves
/// when nothing better is available. Immutable; a reload builds a new value.
package struct FallbackData: Sendable {
  /// Items by id. Every baseline entry refers to one of these.
  package var catalog: [String: CatalogItem]
  /// Ranked baselines per country, most popular first.
  /// A `let`: `countryItemIDs` is derived from it once.
  package let countries: [CountryCode: [PopularityEntry]]
  /// The ranked global baseline, the ladder's last rung.
  package var global: [PopularityEntry]
  /// Identifies the loaded content ("fallback:<hash>"), reported as the model version.
  package var version: String
  /// Rows that were skipped and files that were missing, as `file:line: message`.
  package var warnings: [DataWarning]
  /// The ids in each country's baseline, built once per load (not per request) for sources
  /// that must know whether an item is on the country's list.
  package private(set) var countryItemIDs: [CountryCode: Set<String>]

  package init(
    catalog: [String: CatalogItem],
    countries: [CountryCode: [PopularityEntry]],
    global: [PopularityEntry],
    version: String,
    warnings: [DataWarning] = []
  ) {
    self.catalog = catalog
    self.countries = countries
    self.global = global
    self.version = version
    self.warnings = warnings
    self.countryItemIDs = countries.mapValues { Set($0.lazy.map(\.itemID)) }
  }

  /// No data at all: the server still starts and answers (with empty slates) rather than
  /// refusing to run.
  package static let empty = FallbackData(catalog: [:], countries: [:], global: [], version: "fallback:empty")
}
