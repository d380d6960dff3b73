/// An ISO 3166-1 alpha-2 country code, always stored upper case ("BR", "US").
///
/// Only the shape is checked (two ASCII letters): whether Lineup has a baseline for a country
/// is the fallback ladder's business, and a well-formed code without one falls back to the
/// global list rather than failing the request.
package struct CountryCode: Hashable, Sendable, CustomStringConvertible {
  /// The upper-case two-letter code.
  package let value: String

  /// Parses a code case-insensitively; nil unless it is exactly two ASCII letters.
  package init?(_ raw: some StringProtocol) {
    let utf8 = Array(raw.utf8)
    guard utf8.count == 2, utf8.allSatisfy(Self.isASCIILetter) else { return nil }
    self.value = String(decoding: utf8.map(Self.uppercased), as: UTF8.self)
  }

  package var description: String { value }

  private static func isASCIILetter(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
      || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
  }

  private static func uppercased(_ byte: UInt8) -> UInt8 {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte
  }
}
