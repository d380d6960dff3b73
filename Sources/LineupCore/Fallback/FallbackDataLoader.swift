import Foundation

/// Reads a fallback-data directory (catalog.csv and popularity/*.csv) into `FallbackData`.
/// Never throws: a missing directory or file becomes a warning and the ladder falls through
/// to the next rung, because the service must start and answer whatever the disk holds.
package enum FallbackDataLoader {
  /// Loads `directory`. File names in warnings are relative to it.
  package static func load(directory: String) -> FallbackData {
    let root = URL(fileURLWithPath: directory, isDirectory: true)
    var warnings: [DataWarning] = []
    var digest = FNV1a64()

    guard let catalogText = read(root.appendingPathComponent("catalog.csv"), name: "catalog.csv", into: &warnings)
    else { return FallbackData(catalog: [:], countries: [:], global: [], version: "fallback:empty", warnings: warnings) }
    digest.update(catalogText)
    let (items, catalogWarnings) = FallbackDataParser.parseCatalog(catalogText, file: "catalog.csv")
    warnings += catalogWarnings
    let catalog = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

    var countries: [CountryCode: [PopularityEntry]] = [:]
    var global: [PopularityEntry] = []
    let popularityDir = root.appendingPathComponent("popularity", isDirectory: true)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: popularityDir.path)) ?? []
    if names.isEmpty {
      warnings.append(DataWarning(file: "popularity/", line: 0, message: "no popularity files; slates will be empty"))
    }
    // Sorted so the version hash and the warnings do not depend on directory order.
    for name in names.sorted() where name.hasSuffix(".csv") {
      let file = "popularity/\(name)"
      let stem = String(name.dropLast(4))
      let country = CountryCode(stem)
      guard stem == "global" || (country != nil && country?.value == stem) else {
        warnings.append(DataWarning(file: file, line: 0, message: "name is neither global.csv nor an upper-case ISO 3166-1 alpha-2 code; skipped"))
        continue
      }
      guard let text = read(popularityDir.appendingPathComponent(name), name: file, into: &warnings) else { continue }
      digest.update(name)
      digest.update(text)
      let (entries, fileWarnings) = FallbackDataParser.parsePopularity(text, file: file, catalog: catalog)
      warnings += fileWarnings
      if let country { countries[country] = entries } else { global = entries }
    }
    if global.isEmpty {
      warnings.append(DataWarning(file: "popularity/global.csv", line: 0, message: "missing or empty; unknown countries get empty slates"))
    }
    return FallbackData(
      catalog: catalog,
      countries: countries,
      global: global,
      version: "fallback:\(digest.hex.prefix(12))",
      warnings: warnings
    )
  }

  private static func read(_ url: URL, name: String, into warnings: inout [DataWarning]) -> String? {
    do {
      return try String(contentsOf: url, encoding: .utf8)
    } catch {
      warnings.append(DataWarning(file: name, line: 0, message: "cannot read (\(error.localizedDescription))"))
      return nil
    }
  }
}
