import ArgumentParser
import Foundation
import LineupWire
import SwiftProtobuf

/// `lineupctl import catalog FILE`: catalog items from a CSV file, sent with UpsertItems in
/// batches, each rejection reported against the file line it came from.
struct ImportCatalogCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "catalog",
    abstract: "Upsert catalog items from a CSV file.",
    discussion: """
      The file has a header line naming its columns: item_id,creator_id,category,created_at \
      and optionally creator_first_seen and available, in any order. Timestamps are ISO-8601 \
      (e.g. 2026-06-01T00:35:42Z); an empty creator_first_seen leaves what the store knows; \
      available is true/false (also 1/0, yes/no) and defaults to true. Fields may be quoted \
      with "…" ("" inside for a quote); blank lines are skipped.

      The whole file is parsed first: if any line does not parse, every such line is reported \
      as FILE:LINE and nothing is sent (--skip-invalid sends the rest). Items go out in \
      batches of \(ImportCatalogCommand.batchSize); UpsertItems replaces items by id, so a \
      rerun after a failure is safe. Exit 1 when a line did not parse or an item was rejected.
      """
  )

  /// Items per UpsertItems call. The RPC takes up to 1000; 500 keeps a request of worst-case
  /// items (128-byte ids, 64-byte categories) near 200 KB, well under the server's 1 MiB
  /// default message limit, and bounds what one failed call leaves unsent.
  static let batchSize = 500

  @Argument(help: "The CSV file.")
  var file: String

  @Flag(help: "Send the lines that parse even when others do not (still exits 1).")
  var skipInvalid = false

  @Flag(help: "Parse and check the file, send nothing.")
  var dryRun = false

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func run() async throws {
    let contents: String
    do {
      contents = try String(contentsOfFile: file, encoding: .utf8)
    } catch {
      throw ValidationError("cannot read \(file): \(error.localizedDescription)")
    }
    let parsed = CatalogCSV.parse(contents)
    for problem in parsed.problems { printError("\(file):\(problem.line): \(problem.message)") }
    if !parsed.problems.isEmpty && !skipInvalid && !dryRun {
      throw LineupctlError(
        code: .badInput, message: "\(parsed.problems.count) line(s) of \(file) do not parse; nothing was sent (--skip-invalid sends the rest)")
    }
    if dryRun {
      print("\(parsed.rows.count) item(s) parse in \(file); \(parsed.problems.count) line(s) do not; nothing sent (--dry-run)")
      if !parsed.problems.isEmpty { throw ExitCode(1) }
      return
    }
    guard !parsed.rows.isEmpty else { throw LineupctlError(code: .badInput, message: "\(file) has no items to send") }

    let rows = parsed.rows
    let total = try await LineupConnection.with(global) { lineup in
      var total = Lineup_V1_UpsertItemsResponse()
      for start in stride(from: 0, to: rows.count, by: Self.batchSize) {
        let batch = rows[start..<min(start + Self.batchSize, rows.count)]
        let request = Lineup_V1_UpsertItemsRequest.with { $0.items = batch.map(\.item) }
        let response: Lineup_V1_UpsertItemsResponse
        do {
          response = try await lineup.call {
            try await lineup.recommender.upsertItems(request, options: $0, onResponse: LineupConnection.outcome)
          }
        } catch {
          printError("lineupctl: stopped at \(file):\(batch.first?.line ?? 0) after \(total.upserted) item(s) were upserted; UpsertItems replaces by id, so rerunning is safe")
          throw error
        }
        total.upserted += response.upserted
        total.catalogVersion = response.catalogVersion
        for var rejection in response.rejections {
          let index = Int(rejection.index)
          // Report against the file line; in the merged JSON the index counts from the first
          // item sent rather than from the start of its batch.
          if batch.indices.contains(start + index) {
            let row = rows[start + index]
            let field = rejection.field.replacingOccurrences(of: "items[\(index)].", with: "")
            printError("\(file):\(row.line): item \(row.item.itemID): \(field.isEmpty ? "" : "\(field): ")\(rejection.reason)")
          } else {
            printError("\(file): batch at item \(start): rejection of unknown index \(index): \(rejection.field): \(rejection.reason)")
          }
          rejection.index = Int32(start + index)
          total.rejections.append(rejection)
        }
      }
      return total
    }
    try emit(total, json: global.json) {
      var line = "upserted \(total.upserted) of \(rows.count) item(s) from \(file)"
      if !total.rejections.isEmpty { line += "; \(total.rejections.count) rejected (listed above)" }
      if !total.catalogVersion.isEmpty { line += "; catalog version \(total.catalogVersion)" }
      print(line)
    }
    if !total.rejections.isEmpty || !parsed.problems.isEmpty { throw ExitCode(1) }
  }
}

/// The catalog CSV: a header naming the columns, then one item per line. Parsing collects
/// every problem with its line number instead of stopping at the first, so one run lists
/// everything to fix.
enum CatalogCSV {
  /// One item and the 1-based file line it came from.
  struct Row: Sendable {
    var line: Int
    var item: Lineup_V1_CatalogItem
  }

  /// A line that does not parse.
  struct Problem: Sendable {
    var line: Int
    var message: String
  }

  static let requiredColumns = ["item_id", "creator_id", "category", "created_at"]
  static let optionalColumns = ["creator_first_seen", "available"]

  static func parse(_ contents: String) -> (rows: [Row], problems: [Problem]) {
    var rows: [Row] = []
    var problems: [Problem] = []
    // Split on \n only and drop a trailing \r: Character-based splitting would treat "\r\n"
    // as one separator anyway, but this keeps line numbers exact for mixed endings.
    var lines = contents.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      line.hasSuffix("\r") ? line.dropLast() : line
    }
    if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }  // a BOM from spreadsheet exports

    guard let headerIndex = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else {
      return ([], [Problem(line: 1, message: "the file is empty; expected a header \(expectedHeader)")])
    }
    let columns: [String: Int]
    switch header(lines[headerIndex]) {
    case .success(let found): columns = found
    case .failure(let problem): return ([], [Problem(line: headerIndex + 1, message: problem.message)])
    }

    for index in lines.indices where index > headerIndex {
      let line = lines[index]
      if line.allSatisfy(\.isWhitespace) { continue }
      switch row(line, columns: columns) {
      case .success(let item): rows.append(Row(line: index + 1, item: item))
      case .failure(let problem): problems.append(Problem(line: index + 1, message: problem.message))
      }
    }
    return (rows, problems)
  }

  static var expectedHeader: String { requiredColumns.joined(separator: ",") + "[,creator_first_seen][,available]" }

  /// Why a line does not parse.
  struct LineProblem: Error {
    var message: String
  }

  /// Column name → index; every required column present, nothing unknown, nothing twice.
  private static func header(_ line: Substring) -> Result<[String: Int], LineProblem> {
    let names: [String]
    switch fields(line) {
    case .success(let found): names = found.map { $0.lowercased() }
    case .failure(let problem): return .failure(problem)
    }
    var columns: [String: Int] = [:]
    for (index, name) in names.enumerated() {
      guard requiredColumns.contains(name) || optionalColumns.contains(name) else {
        return .failure(LineProblem(message: "unknown column \"\(name)\" in the header; expected \(expectedHeader)"))
      }
      guard columns[name] == nil else { return .failure(LineProblem(message: "column \"\(name)\" appears twice in the header")) }
      columns[name] = index
    }
    let missing = requiredColumns.filter { columns[$0] == nil }
    guard missing.isEmpty else {
      return .failure(LineProblem(message: "the header lacks \(missing.joined(separator: ", ")); expected \(expectedHeader)"))
    }
    return .success(columns)
  }

  private static func row(_ line: Substring, columns: [String: Int]) -> Result<Lineup_V1_CatalogItem, LineProblem> {
    let values: [String]
    switch fields(line) {
    case .success(let found): values = found
    case .failure(let problem): return .failure(problem)
    }
    guard values.count == columns.count else {
      return .failure(LineProblem(message: "\(values.count) field(s), the header has \(columns.count)"))
    }
    func value(_ column: String) -> String? { columns[column].map { values[$0] } }

    var item = Lineup_V1_CatalogItem()
    for column in ["item_id", "creator_id", "category"] {
      guard let text = value(column), !text.isEmpty else { return .failure(LineProblem(message: "\(column) is empty")) }
      switch column {
      case "item_id": item.itemID = text
      case "creator_id": item.creatorID = text
      default: item.category = text
      }
    }
    guard let createdAt = value("created_at"), let created = timestamp(createdAt) else {
      return .failure(LineProblem(message: "created_at \"\(value("created_at") ?? "")\" is not an ISO-8601 timestamp such as 2026-06-01T00:35:42Z"))
    }
    item.createdAt = created
    if let firstSeen = value("creator_first_seen"), !firstSeen.isEmpty {
      guard let seen = timestamp(firstSeen) else {
        return .failure(LineProblem(message: "creator_first_seen \"\(firstSeen)\" is not an ISO-8601 timestamp such as 2026-06-01T00:35:42Z"))
      }
      item.creatorFirstSeen = seen
    }
    switch value("available")?.lowercased() ?? "" {
    case "", "true", "1", "yes": item.available = true
    case "false", "0", "no": item.available = false
    case let other: return .failure(LineProblem(message: "available \"\(other)\" is not true or false"))
    }
    return .success(item)
  }

  /// Comma-separated fields, whitespace around unquoted ones trimmed. A field in double quotes
  /// may hold commas, and "" inside it is one quote; a quote cannot span lines.
  private static func fields(_ line: Substring) -> Result<[String], LineProblem> {
    var fields: [String] = []
    var field = ""
    var inQuotes = false
    var wasQuoted = false  // the field's closing quote has been seen: only blanks may follow
    var index = line.startIndex
    while index < line.endIndex {
      let character = line[index]
      index = line.index(after: index)
      if inQuotes {
        if character != "\"" {
          field.append(character)
        } else if index < line.endIndex && line[index] == "\"" {
          field.append("\"")
          index = line.index(after: index)
        } else {
          inQuotes = false
          wasQuoted = true
        }
      } else if character == "," {
        fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
        field = ""
        wasQuoted = false
      } else if wasQuoted {
        guard character.isWhitespace else {
          return .failure(LineProblem(message: "text after the closing quote of field \(fields.count + 1)"))
        }
      } else if character == "\"" && field.allSatisfy(\.isWhitespace) {
        inQuotes = true
        field = ""
      } else {
        field.append(character)
      }
    }
    if inQuotes {
      return .failure(LineProblem(message: "the quote opening field \(fields.count + 1) is not closed (a field cannot span lines)"))
    }
    fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
    return .success(fields)
  }

  /// ISO-8601 with a zone (Z or ±hh:mm), with or without fractional seconds.
  private static func timestamp(_ text: String) -> Google_Protobuf_Timestamp? {
    if let date = try? Date(text, strategy: .iso8601) { return Google_Protobuf_Timestamp(date: date) }
    if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
      return Google_Protobuf_Timestamp(date: date)
    }
    return nil
  }
}
