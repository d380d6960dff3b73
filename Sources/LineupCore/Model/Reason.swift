/// One machine-readable reason an item is in a slate, with text a person can read.
package struct Reason: Sendable, Equatable {
  package var code: ReasonCode
  package var text: String
  /// Contribution in [0, 1].
  package var weight: Double

  package init(code: ReasonCode, text: String, weight: Double) {
    self.code = code
    self.text = text
    self.weight = weight
  }
}

/// A stable reason code. Open-ended (a struct, not an enum) because clients must tolerate
/// codes added later, and so must we when reading cached answers written by a newer replica.
package struct ReasonCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  package let rawValue: String
  package init(rawValue: String) { self.rawValue = rawValue }
  package var description: String { rawValue }

  /// Ranked high in the user's country baseline.
  package static let popularInCountry = ReasonCode(rawValue: "POPULAR_IN_COUNTRY")
  /// Ranked high in the global baseline.
  package static let popularGlobally = ReasonCode(rawValue: "POPULAR_GLOBALLY")
  /// Made by a creator who is new on the platform.
  package static let newCreator = ReasonCode(rawValue: "NEW_CREATOR")
  /// Proposed and scored by the personalization model.
  package static let modelScore = ReasonCode(rawValue: "MODEL_SCORE")
}
