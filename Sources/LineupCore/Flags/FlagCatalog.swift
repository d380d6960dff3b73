package import Foundation

/// The capabilities Lineup gates behind flags, their defaults (every one on, for everyone),
/// and the JSON defaults file that overrides those defaults at start-up (docs/flags.md).
package enum FlagCatalog {
  /// GetRecommendations: off serves the popularity baseline.
  package static let recs = "recs"
  /// GetFeed: off serves trending-only pages.
  package static let feed = "feed"
  /// GetPrice: off quotes the list price.
  package static let pricing = "pricing"
  /// The model's precomputed candidates.
  package static let sourceModel = "source.model"
  /// Co-visitation candidates. (The flag name has no underscore, unlike the candidate
  /// source's name "co_visitation": map one to the other explicitly, never by string.)
  package static let sourceCoVisitation = "source.covisitation"
  /// Country-trending candidates.
  package static let sourceTrending = "source.trending"
  /// New-creator candidates.
  package static let sourceNewCreators = "source.new_creators"

  /// Every known capability, RPCs first, then candidate sources.
  package static var names: [String] {
    [recs, feed, pricing, sourceModel, sourceCoVisitation, sourceTrending, sourceNewCreators]
  }

  /// Every known capability on at 100%, everywhere, salted with its name: a fresh
  /// deployment serves everything, and an operator narrows from there.
  package static func defaults() -> [String: FeatureFlag] {
    Dictionary(uniqueKeysWithValues: names.map { ($0, FeatureFlag(name: $0)) })
  }

  /// Parses a defaults file: a JSON array of flags with the proto's snake_case keys (name,
  /// killed, rollout_bps, regions, shadow, variants [{name, weight_bps}], salt,
  /// description). Missing keys take `FeatureFlag`'s defaults (salt: the name), unknown keys
  /// are ignored, and flags outside the catalog are allowed, so a file can stage a flag for
  /// code that ships later. Returns `defaults()` with each listed flag replaced whole.
  ///
  /// Throws INVALID_ARGUMENT listing every problem at once, with paths into the file such as
  /// "flags[2].rollout_bps": unreadable JSON, a value of the wrong type, any rule of
  /// `FeatureFlag.violations()`, a flag listed twice.
  package static func parseDefaults(_ data: Data) throws(LineupError) -> [String: FeatureFlag] {
    let flags: [FeatureFlag]
    do {
      flags = try JSONDecoder().decode([FeatureFlag].self, from: data)
    } catch {
      throw defaultsError([decodingViolation(error)], cause: error)
    }

    var violations: [FieldViolation] = []
    var firstIndex: [String: Int] = [:]
    for (index, flag) in flags.enumerated() {
      let path = "\(root)[\(index)]"
      var found = flag.violations(at: path)
      if let first = firstIndex[flag.name], !found.contains(where: { $0.field == "\(path).name" }) {
        found.insert(
          FieldViolation(
            field: "\(path).name", description: "\"\(flag.name)\" is already \(root)[\(first)]; list each flag once"),
          at: 0)
      } else if firstIndex[flag.name] == nil {
        firstIndex[flag.name] = index
      }
      violations += found
    }
    guard violations.isEmpty else { throw defaultsError(violations, cause: nil) }

    var result = defaults()
    for flag in flags { result[flag.name] = flag }
    return result
  }

  /// How violations name the file's top-level array.
  private static let root = "flags"

  private static func defaultsError(_ violations: [FieldViolation], cause: (any Error)?) -> LineupError {
    let summary = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
    return LineupError(
      code: .invalidArgument, message: "invalid flag defaults file: \(summary)", violations: violations, cause: cause)
  }

  /// A decoding failure as a violation at the path where it happened.
  private static func decodingViolation(_ error: any Error) -> FieldViolation {
    guard let error = error as? DecodingError else {
      return FieldViolation(field: root, description: "must be a JSON array of flags (\(error))")
    }
    switch error {
    case .typeMismatch(let type, let context):
      let what = context.codingPath.isEmpty ? "a JSON array of flags" : jsonName(type)
      return FieldViolation(field: path(context.codingPath), description: "must be \(what)")
    case .valueNotFound(let type, let context):
      return FieldViolation(field: path(context.codingPath), description: "must be \(jsonName(type)), not null")
    case .keyNotFound(let key, let context):
      return FieldViolation(field: path(context.codingPath + [key]), description: "is required")
    case .dataCorrupted(let context):
      // At the top level this is unreadable JSON; deeper, a value our decoding rejected,
      // whose debug description is written for the caller.
      guard context.codingPath.isEmpty else {
        return FieldViolation(field: path(context.codingPath), description: context.debugDescription)
      }
      let detail = context.underlyingError.map { "\(context.debugDescription) \($0)" } ?? context.debugDescription
      return FieldViolation(field: root, description: "must be a JSON array of flags (\(detail))")
    @unknown default:
      return FieldViolation(field: root, description: "must be a JSON array of flags (\(error))")
    }
  }

  /// "flags[2].variants[0].weight_bps" for a decoder's coding path.
  private static func path(_ codingPath: [any CodingKey]) -> String {
    codingPath.reduce(root) { path, key in
      key.intValue.map { "\(path)[\($0)]" } ?? "\(path).\(key.stringValue)"
    }
  }

  private static func jsonName(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is Double.Type: "a number"
    case is Bool.Type: "true or false"
    case is String.Type: "a string"
    // Arrays, whatever the element type the decoder names (String was matched above).
    case is any RangeReplaceableCollection.Type: "an array"
    default: "an object"
    }
  }
}
