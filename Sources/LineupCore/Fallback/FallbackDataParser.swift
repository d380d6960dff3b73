/// Turns the text of fallback-data files into domain values. Pure: no file access, so every
/// rule (and every bad row) is tested on strings. The format is documented in
/// fallback-data/README.md.
package enum FallbackDataParser {
  /// Columns of catalog.csv.
  static let catalogColumns = ["item_id", "creator_id", "category", "created_at", "new_creator"]
  /// Columns of popularity/<CC>.csv and popularity/global.csv.
  static let popularityColumns = ["item_id", "score"]

  /// Parses catalog.csv. Bad rows and duplicate ids are reported and skipped (the first
  /// occurrence of an id wins).
  package static func parseCatalog(_ text: String, file: String) -> (items: [CatalogItem], warnings: [DataWarning]) {
    let csv = CSVRecords(text: text, file: file)
    var warnings = csv.warnings
    let (columns, missing) = csv.columns(catalogColumns)
    guard missing.isEmpty else {
      warnings.append(missingColumnsWarning(missing, file: file))
      return ([], warnings)
    }
    var items: [CatalogItem] = []
    var seen: Set<String> = []
    for row in csv.rows {
      let field = { (index: Int) in row.fields[columns[index]] }
      func reject(_ message: String) { warnings.append(DataWarning(file: file, line: row.line, message: message)) }
      let (id, creator, category) = (field(0), field(1), field(2))
      guard !id.isEmpty else { reject("empty item_id"); continue }
      guard !creator.isEmpty else { reject("empty creator_id for item \(id)"); continue }
      guard !category.isEmpty else { reject("empty category for item \(id)"); continue }
      guard let createdAt = ISO8601Timestamp.parse(field(3)) else {
        reject("created_at \"\(field(3))\" is not an ISO-8601 UTC timestamp like 2026-10-03T14:05:00Z")
        continue
      }
      guard let isNew = parseFlag(field(4)) else {
        reject("new_creator \"\(field(4))\" must be 0, 1, true or false")
        continue
      }
      guard seen.insert(id).inserted else { reject("duplicate item_id \(id); first occurrence kept"); continue }
      items.append(CatalogItem(id: id, creatorID: creator, category: category, createdAt: createdAt, isNewCreator: isNew))
    }
    return (items, inLineOrder(warnings))
  }

  /// Parses one popularity file against a catalog. Entries come back ranked by score,
  /// highest first (ties keep file order); unknown items, bad scores and duplicates are
  /// reported and skipped.
  package static func parsePopularity(
    _ text: String,
    file: String,
    catalog: [String: CatalogItem]
  ) -> (entries: [PopularityEntry], warnings: [DataWarning]) {
    let csv = CSVRecords(text: text, file: file)
    var warnings = csv.warnings
    let (columns, missing) = csv.columns(popularityColumns)
    guard missing.isEmpty else {
      warnings.append(missingColumnsWarning(missing, file: file))
      return ([], warnings)
    }
    var entries: [PopularityEntry] = []
    var seen: Set<String> = []
    for row in csv.rows {
      func reject(_ message: String) { warnings.append(DataWarning(file: file, line: row.line, message: message)) }
      let id = row.fields[columns[0]]
      let rawScore = row.fields[columns[1]]
      guard !id.isEmpty else { reject("empty item_id"); continue }
      guard let score = Double(rawScore), score.isFinite, (0...1).contains(score) else {
        reject("score \"\(rawScore)\" must be a number in [0, 1]")
        continue
      }
      guard catalog[id] != nil else { reject("item_id \(id) is not in the catalog"); continue }
      guard seen.insert(id).inserted else { reject("duplicate item_id \(id); first occurrence kept"); continue }
      entries.append(PopularityEntry(itemID: id, score: score))
    }
    // A stable sort: equal scores keep the file's order, which is the producer's ranking.
    let ranked = entries.enumerated().sorted { lhs, rhs in
      lhs.element.score != rhs.element.score ? lhs.element.score > rhs.element.score : lhs.offset < rhs.offset
    }.map(\.element)
    return (ranked, inLineOrder(warnings))
  }

  /// Splitting and field checks report separately; operators read them best top to bottom.
  private static func inLineOrder(_ warnings: [DataWarning]) -> [DataWarning] {
    warnings.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
  }

  private static func parseFlag(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "1", "true": return true
    case "0", "false": return false
    default: return nil
    }
  }

  private static func missingColumnsWarning(_ missing: [String], file: String) -> DataWarning {
    DataWarning(file: file, line: 1, message: "missing column(s) \(missing.joined(separator: ", ")); file skipped")
  }
}
