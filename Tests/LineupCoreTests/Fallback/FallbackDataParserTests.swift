import Testing

@testable import LineupCore

@Suite("Fallback data parsing")
struct FallbackDataParserTests {
  static let catalogText = """
    item_id,creator_id,category,created_at,new_creator
    it-1,cr-1,music,2026-10-03T14:05:00Z,0
    it-2,cr-2,gaming,2026-10-04T00:00:00Z,1
    # a comment line is skipped

    it-3,cr-1,music,not-a-date,0
    it-4,,music,2026-10-04T00:00:00Z,0
    it-5,cr-3,dance,2026-10-04T00:00:00Z,maybe
    it-6,cr-3,dance
    it-1,cr-9,music,2026-10-05T00:00:00Z,0
    "it-7","cr-4","talk, late night",2026-10-06T00:00:00.250Z,true
    """

  @Test("good rows load; each bad row is reported as file:line and skipped")
  func catalogBadRows() {
    let (items, warnings) = FallbackDataParser.parseCatalog(Self.catalogText, file: "catalog.csv")
    #expect(items.map(\.id) == ["it-1", "it-2", "it-7"])
    #expect(items[1].isNewCreator)
    #expect(items[2].category == "talk, late night")
    #expect(items[0].createdAt == 1_791_036_300)
    #expect(warnings.map { "\($0.file):\($0.line)" } == [
      "catalog.csv:6", "catalog.csv:7", "catalog.csv:8", "catalog.csv:9", "catalog.csv:10",
    ])
    #expect(warnings[0].description.hasPrefix("catalog.csv:6: created_at"))
    #expect(warnings[4].message.contains("duplicate item_id it-1"))
  }

  @Test("a file without the required columns is skipped whole, with a warning")
  func missingColumns() {
    let (items, warnings) = FallbackDataParser.parseCatalog("item_id,category\nit-1,music\n", file: "catalog.csv")
    #expect(items.isEmpty)
    #expect(warnings.count == 1)
    #expect(warnings[0].message.contains("creator_id"))
  }

  @Test("popularity rows are ranked by score, ties keep file order; bad rows are reported")
  func popularity() {
    let (items, _) = FallbackDataParser.parseCatalog(Self.catalogText, file: "catalog.csv")
    let catalog = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
    let text = """
      item_id,score
      it-2,0.5
      it-1,0.9
      it-7,0.5
      it-404,0.8
      it-1,0.1
      it-2,1.5
      ,0.3
      it-7,abc
      """
    let (entries, warnings) = FallbackDataParser.parsePopularity(text, file: "popularity/BR.csv", catalog: catalog)
    #expect(entries.map(\.itemID) == ["it-1", "it-2", "it-7"])
    #expect(warnings.map(\.line) == [5, 6, 7, 8, 9])
    #expect(warnings[0].message == "item_id it-404 is not in the catalog")
  }

  @Test("an unterminated quote is a bad row, not a crash")
  func unterminatedQuote() {
    let records = CSVRecords(text: "a,b\n\"x,1\nok,2\n", file: "f.csv")
    #expect(records.rows.map(\.fields) == [["ok", "2"]])
    #expect(records.warnings.map(\.line) == [2])
  }

  @Test("CRLF line endings parse like LF")
  func crlf() {
    let records = CSVRecords(text: "a,b\r\nx,1\r\n", file: "f.csv")
    #expect(records.header == ["a", "b"])
    #expect(records.rows.map(\.fields) == [["x", "1"]])
  }

  @Test("timestamps: valid UTC shapes parse, everything else is nil", arguments: [
    ("1970-01-01T00:00:00Z", Int64(0)),
    ("2000-02-29T12:00:00Z", Int64(951_825_600)),
    ("2026-10-03T14:05:00.5Z", Int64(1_791_036_300)),
  ])
  func timestamps(text: String, expected: Int64) {
    #expect(ISO8601Timestamp.parse(text) == expected)
  }

  @Test("malformed timestamps are rejected", arguments: [
    "", "2026-10-03", "2026-10-03T14:05:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
    "2025-02-29T00:00:00Z", "2026-10-03T24:00:00Z", "2026-10-03T14:05:00+02:00", "2026-1O-03T14:05:00Z",
    "2026-10-03T14:05:00.Z",
  ])
  func badTimestamps(text: String) {
    #expect(ISO8601Timestamp.parse(text) == nil)
  }
}
