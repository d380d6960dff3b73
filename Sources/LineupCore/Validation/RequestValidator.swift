/// Checks raw request fields and collects every violation, so one INVALID_ARGUMENT answer
/// tells the caller about all of its mistakes at once, each named by its field path.
///
/// Methods return the validated value (or a harmless placeholder when invalid) so mapping
/// code reads straight through; `finish()` then throws if anything was wrong.
package struct RequestValidator: Sendable {
  package private(set) var violations: [FieldViolation] = []
  package let limits: RequestLimits

  package init(limits: RequestLimits = RequestLimits()) {
    self.limits = limits
  }

  package mutating func fail(_ field: String, _ description: String) {
    violations.append(FieldViolation(field: field, description: description))
  }

  /// A required identifier: non-empty, at most `maxIDBytes`, no control characters.
  @discardableResult
  package mutating func requiredID(_ value: String, field: String) -> String {
    if value.isEmpty {
      fail(field, "must not be empty")
    } else {
      optionalID(value, field: field)
    }
    return value
  }

  /// An optional identifier: empty is fine; otherwise as `requiredID`.
  @discardableResult
  package mutating func optionalID(_ value: String, field: String) -> String {
    if value.utf8.count > limits.maxIDBytes {
      fail(field, "must be at most \(limits.maxIDBytes) bytes, got \(value.utf8.count)")
    } else if Self.containsControlCharacter(value) {
      fail(field, "must not contain control characters")
    }
    return value
  }

  /// Whether `value` holds a character of Unicode category Cc. Ids are ASCII nearly always:
  /// their bytes are checked directly (Cc in ASCII is 0x00–0x1F and 0x7F), and only a
  /// non-ASCII id pays for the Unicode property lookup, which was 3% of the server's CPU
  /// under RecordInteractions load.
  static func containsControlCharacter(_ value: String) -> Bool {
    var ascii = true
    for byte in value.utf8 {
      if byte < 0x20 || byte == 0x7F { return true }
      if byte >= 0x80 { ascii = false }
    }
    return !ascii && value.unicodeScalars.contains { $0.properties.generalCategory == .control }
  }

  /// A slate or page size: 1…maxSlateSize.
  package mutating func slateSize(_ value: Int32, field: String) -> Int {
    guard (1...Int32(limits.maxSlateSize)).contains(value) else {
      fail(field, "must be between 1 and \(limits.maxSlateSize), got \(value)")
      return 1
    }
    return Int(value)
  }

  /// An optional country: empty means unknown; otherwise two ASCII letters.
  package mutating func country(_ value: String, field: String) -> CountryCode? {
    if value.isEmpty { return nil }
    guard let code = CountryCode(value) else {
      fail(field, "must be an ISO 3166-1 alpha-2 code (two letters, e.g. \"BR\"), got \"\(value.prefix(16))\"")
      return nil
    }
    return code
  }

  /// A wire enum number that must be one this build knows.
  package mutating func knownEnum<E: RawRepresentable<Int> & CaseIterable>(
    _ rawValue: Int,
    as type: E.Type,
    field: String
  ) -> E? {
    guard let value = E(rawValue: rawValue) else {
      let known = E.allCases.map { String($0.rawValue) }.joined(separator: ", ")
      fail(field, "unknown enum value \(rawValue); known values are \(known)")
      return nil
    }
    return value
  }

  /// A list of ids: at most `maxCount`, each a valid id.
  package mutating func idList(_ values: [String], maxCount: Int, field: String) -> [String] {
    if values.count > maxCount {
      fail(field, "must have at most \(maxCount) entries, got \(values.count)")
      return []
    }
    for (index, value) in values.enumerated() {
      requiredID(value, field: "\(field)[\(index)]")
    }
    return values
  }

  /// An optional category filter: at most `maxCategoryBytes`.
  /// An amount of money: an ISO 4217 currency (three upper-case letters) and a non-negative
  /// amount of minor units.
  package mutating func money(_ value: Money, field: String) -> Money {
    let currency = value.currency.utf8
    if currency.count != 3 || !currency.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
      fail("\(field).currency_code", "must be an ISO 4217 code (three upper-case letters, e.g. \"BRL\"), got \"\(value.currency.prefix(16))\"")
    }
    if value.minorUnits < 0 { fail("\(field).minor_units", "must not be negative, got \(value.minorUnits)") }
    return value
  }

  package mutating func category(_ value: String, field: String) -> String? {
    if value.isEmpty { return nil }
    if value.utf8.count > limits.maxCategoryBytes {
      fail(field, "must be at most \(limits.maxCategoryBytes) bytes, got \(value.utf8.count)")
      return nil
    }
    return value
  }

  /// Throws INVALID_ARGUMENT listing every violation, if there were any.
  package func finish() throws(LineupError) {
    if !violations.isEmpty { throw LineupError.invalidArgument(violations) }
  }
}
