import Testing

@testable import LineupCore

@Suite("Request validation")
struct RequestValidationTests {
  private func violations(
    userID: String = "u1",
    context: RawRequestContext = RawRequestContext(country: "BR", platform: 1),
    limit: Int32 = 10,
    excluded: [String] = []
  ) -> [FieldViolation] {
    do {
      _ = try RecommendationRequest.validated(userID: userID, context: context, limit: limit, excludedItemIDs: excluded)
      return []
    } catch {
      #expect(error.code == .invalidArgument)
      return error.violations
    }
  }

  @Test("a well-formed request validates and normalizes the country")
  func valid() throws {
    let request = try RecommendationRequest.validated(
      userID: "u1",
      context: RawRequestContext(country: "br", platform: 2, sessionID: "s", appID: "a"),
      limit: 25,
      excludedItemIDs: ["it-1", "it-1", "it-2"]
    )
    #expect(request.context.country?.value == "BR")
    #expect(request.context.platform == .ios)
    #expect(request.limit == 25)
    #expect(request.excludedItemIDs == ["it-1", "it-2"])
  }

  @Test("an empty country means unknown, not an error")
  func emptyCountry() throws {
    #expect(violations(context: RawRequestContext(country: "")).isEmpty)
  }

  /// One bad input and the field its violation must name.
  struct BadInput: Sendable, CustomTestStringConvertible {
    var field: String
    var userID = "u1"
    var context = RawRequestContext(country: "BR", platform: 1)
    var limit: Int32 = 10
    var excluded: [String] = []
    var testDescription: String { field }
  }

  static let badInputs: [BadInput] = [
    BadInput(field: "user_id", userID: ""),
    BadInput(field: "user_id", userID: String(repeating: "x", count: 129)),
    BadInput(field: "user_id", userID: "a\u{0}b"),
    BadInput(field: "limit", limit: 0),
    BadInput(field: "limit", limit: 101),
    BadInput(field: "limit", limit: -5),
    BadInput(field: "context.country", context: RawRequestContext(country: "BRA")),
    BadInput(field: "context.country", context: RawRequestContext(country: "B1")),
    BadInput(field: "context.platform", context: RawRequestContext(platform: 99)),
    BadInput(field: "context.platform", context: RawRequestContext(platform: -1)),
    BadInput(field: "context.session_id", context: RawRequestContext(sessionID: String(repeating: "s", count: 200))),
    BadInput(field: "exclude_item_ids", excluded: Array(repeating: "i", count: 501)),
    BadInput(field: "exclude_item_ids[1]", excluded: ["ok", ""]),
  ]

  @Test("each bad field is named", arguments: badInputs)
  func namesField(input: BadInput) {
    let found = violations(userID: input.userID, context: input.context, limit: input.limit, excluded: input.excluded)
    #expect(found.map(\.field) == [input.field])
  }

  @Test("every violation is reported at once, and the message names each field")
  func allAtOnce() {
    do {
      _ = try RecommendationRequest.validated(
        userID: "", context: RawRequestContext(country: "XYZ", platform: 7), limit: 0, excludedItemIDs: [])
      Issue.record("expected INVALID_ARGUMENT")
    } catch {
      #expect(error.violations.map(\.field) == ["user_id", "context.country", "context.platform", "limit"])
      for field in ["user_id", "context.country", "context.platform", "limit"] {
        #expect(error.message.contains(field))
      }
    }
  }

  @Test("the limit boundaries 1 and 100 are accepted", arguments: [Int32(1), 100])
  func limitBoundaries(limit: Int32) {
    #expect(violations(limit: limit).isEmpty)
  }

  @Test("trending validates its category length and context")
  func trending() throws {
    let request = try TrendingRequest.validated(context: RawRequestContext(country: "jp"), limit: 5, category: "music")
    #expect(request.category == "music")
    #expect(request.context.country?.value == "JP")
    #expect(throws: LineupError.self) {
      try TrendingRequest.validated(context: RawRequestContext(), limit: 5, category: String(repeating: "c", count: 65))
    }
  }

  @Test("the control-character check agrees with Unicode's Cc category, ASCII fast path or not")
  func controlCharacters() {
    // Every ASCII scalar, C1 controls (U+0080…U+009F), and non-control non-ASCII text.
    let scalars = (0...0xFF).compactMap(Unicode.Scalar.init) + ["é", "日", "\u{200B}", "\u{2028}", "🙂"].flatMap(\.unicodeScalars)
    for scalar in scalars {
      let control = scalar.properties.generalCategory == .control
      for text in ["\(scalar)", "id-\(scalar)", "\(scalar)-é"] {
        #expect(RequestValidator.containsControlCharacter(text) == control, "U+\(String(scalar.value, radix: 16)) in \(text.debugDescription)")
      }
    }
    #expect(!RequestValidator.containsControlCharacter(""))
    #expect(!RequestValidator.containsControlCharacter("user-0042"))
  }
}
