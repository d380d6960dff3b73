/// Splits CSV text into records: RFC 4180 quoting within a line ("a,b" and "" for a quote;
/// a quoted line break is not supported — data files never need one), a header row
/// that names the columns, blank lines and lines starting with '#' skipped. Each record keeps
/// its 1-based line number for error reports.
package struct CSVRecords: Sendable {
  /// One data row: its fields by column name, and where it was.
  package struct Row: Sendable {
    package var line: Int
    package var fields: [String]
  }

  package var header: [String]
  package var rows: [Row]
  /// Rows that could not be split (an unterminated quote, a wrong number of fields).
  package var warnings: [DataWarning]

  /// Parses `text`; `file` names it in warnings.
  package init(text: String, file: String) {
    header = []
    rows = []
    warnings = []
    var lineNumber = 0
    // "\r\n" is a single Character in Swift, so both line endings are matched explicitly.
    for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
      lineNumber += 1
      if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
      guard let fields = Self.split(line) else {
        warnings.append(DataWarning(file: file, line: lineNumber, message: "unterminated quoted field"))
        continue
      }
      if header.isEmpty {
        header = fields.map { $0.trimmingASCIISpaces() }
        continue
      }
      guard fields.count == header.count else {
        warnings.append(
          DataWarning(file: file, line: lineNumber, message: "expected \(header.count) fields, got \(fields.count)"))
        continue
      }
      rows.append(Row(line: lineNumber, fields: fields.map { $0.trimmingASCIISpaces() }))
    }
  }

  /// The position of each wanted column; `missing` names those the header lacks.
  package func columns(_ names: [String]) -> (indexes: [Int], missing: [String]) {
    var indexes: [Int] = []
    var missing: [String] = []
    for name in names {
      if let index = header.firstIndex(of: name) { indexes.append(index) } else { missing.append(name) }
    }
    return (indexes, missing)
  }

  /// Splits one line on commas outside quotes; nil for an unterminated quote.
  static func split(_ line: Substring) -> [String]? {
    var fields: [String] = []
    var current = ""
    var inQuotes = false
    var iterator = line.makeIterator()
    var pending: Character? = nil
    while let char = pending ?? iterator.next() {
      pending = nil
      if inQuotes {
        if char == "\"" {
          let next = iterator.next()
          if next == "\"" {
            current.append("\"")
          } else {
            inQuotes = false
            pending = next
          }
        } else {
          current.append(char)
        }
      } else if char == "\"" {
        inQuotes = true
      } else if char == "," {
        fields.append(current)
        current = ""
      } else {
        current.append(char)
      }
    }
    if inQuotes { return nil }
    fields.append(current)
    return fields
  }
}

extension String {
  func trimmingASCIISpaces() -> String {
    var scalars = Substring(self)
    while scalars.first == " " || scalars.first == "\t" { scalars = scalars.dropFirst() }
    while scalars.last == " " || scalars.last == "\t" { scalars = scalars.dropLast() }
    return String(scalars)
  }
}
