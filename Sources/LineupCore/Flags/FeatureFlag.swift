/// One arm of a flag's experiment: a name and its share of the flag's on (or shadow)
/// population. Mirrors `lineup.v1.FlagVariant`.
package struct FlagVariant: Sendable, Equatable, Codable {
  /// E.g. "control", "treatment_b": 1…64 bytes of a-z, 0-9, '_' and '-'.
  package var name: String
  /// Share in basis points; the variants of a flag add up to 10000.
  package var weightBps: Int

  package init(name: String, weightBps: Int) {
    self.name = name
    self.weightBps = weightBps
  }

  private enum CodingKeys: String, CodingKey {
    case name
    case weightBps = "weight_bps"
  }

  // Missing fields decode as "" and 0 rather than failing, so `FeatureFlag.violations()`
  // reports them with a field path and a rule, as it does for any other bad value.
  package init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
    weightBps = try container.decodeWholeNumberIfPresent(forKey: .weightBps) ?? 0
  }
}

/// A feature flag governing one capability (recs, feed, pricing, a candidate source …):
/// kill switch, target regions, gradual rollout, shadow mode and experiment variants.
/// Mirrors `lineup.v1.Flag`; evaluation is `evaluate(userID:country:)` and is specified in
/// docs/flags.md. JSON keys are the proto's snake_case names; missing ones take the defaults.
package struct FeatureFlag: Sendable, Equatable, Codable {
  /// E.g. "recs", "source.model": 1…64 bytes of a-z, 0-9, '_', '-' and '.'.
  package var name: String
  /// Kill switch: off for everyone, whatever else is set.
  package var killed = false
  /// Share of users admitted, in basis points, 0…10000. Default 10000 (everyone).
  package var rolloutBps = 10_000
  /// Upper-case ISO 3166-1 alpha-2 countries the capability is limited to; empty means
  /// everywhere.
  package var regions: [String] = []
  /// Serve the baseline, compute the capability alongside and record the difference.
  package var shadow = false
  /// Experiment arms, weights adding up to 10000; empty means no experiment.
  package var variants: [FlagVariant] = []
  /// Hash salt, by default the name. Changing it reshuffles who is in the rollout (and in
  /// which variant); keeping it while raising `rolloutBps` only adds users.
  package var salt: String
  /// Free-form, for operators.
  package var description = ""
  /// When the flag was last changed, in Unix epoch seconds; set by the server.
  package var updatedAt: Double? = nil
  /// Who last changed it; set by the server from the token's identity.
  package var updatedBy = ""

  package init(
    name: String,
    killed: Bool = false,
    rolloutBps: Int = 10_000,
    regions: [String] = [],
    shadow: Bool = false,
    variants: [FlagVariant] = [],
    salt: String? = nil,
    description: String = ""
  ) {
    self.name = name
    self.killed = killed
    self.rolloutBps = rolloutBps
    self.regions = regions
    self.shadow = shadow
    self.variants = variants
    self.salt = salt ?? name
    self.description = description
  }

  private enum CodingKeys: String, CodingKey {
    case name, killed
    case rolloutBps = "rollout_bps"
    case regions, shadow, variants, salt, description
    case updatedAt = "updated_at"
    case updatedBy = "updated_by"
  }

  package init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    func value<T: Decodable>(_ key: CodingKeys, default fallback: T) throws -> T {
      try container.decodeIfPresent(T.self, forKey: key) ?? fallback
    }
    let name = try value(.name, default: "")
    // An empty salt means the name, as in the proto, where "" cannot be told from unset: a
    // file that spells `"salt": ""` must not silently reshuffle the rollout.
    let salt = try value(.salt, default: "")
    self.init(
      name: name,
      killed: try value(.killed, default: false),
      rolloutBps: try container.decodeWholeNumberIfPresent(forKey: .rolloutBps) ?? 10_000,
      regions: try value(.regions, default: []),
      shadow: try value(.shadow, default: false),
      variants: try value(.variants, default: []),
      salt: salt.isEmpty ? name : salt,
      description: try value(.description, default: "")
    )
    updatedAt = try container.decodeIfPresent(Double.self, forKey: .updatedAt)
    updatedBy = try value(.updatedBy, default: "")
  }

  /// Every problem, one violation per bad field, with paths as a SetFlag caller wrote them
  /// ("flag.rollout_bps", "flag.regions[0]", "flag.variants[1].name"). Empty when valid.
  package func violations() -> [FieldViolation] {
    violations(at: "flag")
  }

  /// The same, with paths under `path` (e.g. "flags[2]" for an entry of a defaults file).
  package func violations(at path: String) -> [FieldViolation] {
    var found: [FieldViolation] = []
    func report(_ field: String, _ description: String) {
      found.append(FieldViolation(field: "\(path).\(field)", description: description))
    }

    if !Self.isToken(name, maxBytes: Self.maxNameBytes, allowingDot: true) {
      report("name", "must be 1…\(Self.maxNameBytes) bytes of a-z, 0-9, '_', '-' and '.', got \(Self.quoted(name))")
    }
    if !(0...FlagBucket.buckets).contains(rolloutBps) {
      report("rollout_bps", "must be 0…\(FlagBucket.buckets) (0.00%…100.00%), got \(rolloutBps)")
    }

    var firstRegion: [String: Int] = [:]
    for (index, region) in regions.enumerated() {
      if CountryCode(region)?.value != region {
        report(
          "regions[\(index)]", "must be an upper-case ISO 3166-1 alpha-2 code like \"BR\", got \(Self.quoted(region))")
      } else if let first = firstRegion[region] {
        report("regions[\(index)]", "\(region) is already regions[\(first)]; list each country once")
      } else {
        firstRegion[region] = index
      }
    }

    var firstVariant: [String: Int] = [:]
    for (index, variant) in variants.enumerated() {
      if !Self.isToken(variant.name, maxBytes: Self.maxNameBytes, allowingDot: false) {
        report(
          "variants[\(index)].name",
          "must be 1…\(Self.maxNameBytes) bytes of a-z, 0-9, '_' and '-', got \(Self.quoted(variant.name))")
      } else if let first = firstVariant[variant.name] {
        report("variants[\(index)].name", "\"\(variant.name)\" is already variants[\(first)]; variant names are unique")
      } else {
        firstVariant[variant.name] = index
      }
      if variant.weightBps < 0 {
        report("variants[\(index)].weight_bps", "must be at least 0, got \(variant.weightBps)")
      }
    }
    if !variants.isEmpty {
      // Checked arithmetic: weights come from files and RPCs, and an overflow must become a
      // violation, not a trap.
      var total = 0
      var overflowed = false
      for variant in variants {
        let (sum, overflow) = total.addingReportingOverflow(variant.weightBps)
        total = sum
        overflowed = overflowed || overflow
      }
      if overflowed || total != FlagBucket.buckets {
        let actual = overflowed ? "overflow" : "add up to \(total)"
        report("variants", "weights must add up to exactly \(FlagBucket.buckets) bps; they \(actual)")
      }
    }

    if salt.utf8.count > Self.maxSaltBytes {
      report("salt", "must be at most \(Self.maxSaltBytes) bytes, got \(salt.utf8.count)")
    }
    if description.utf8.count > Self.maxDescriptionBytes {
      report("description", "must be at most \(Self.maxDescriptionBytes) bytes, got \(description.utf8.count)")
    }
    return found
  }

  static let maxNameBytes = 64
  static let maxSaltBytes = 128
  static let maxDescriptionBytes = 1_024

  /// 1…maxBytes bytes of a-z, 0-9, '_', '-' (and '.' for flag names, which group
  /// capabilities as in "source.model").
  private static func isToken(_ text: String, maxBytes: Int, allowingDot: Bool) -> Bool {
    let bytes = text.utf8
    guard (1...maxBytes).contains(bytes.count) else { return false }
    return bytes.allSatisfy { byte in
      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || (allowingDot && byte == UInt8(ascii: "."))
    }
  }

  /// A bad value echoed in a message, cut short: the caller needs to recognise it, and a
  /// megabyte name must not become a megabyte error.
  private static func quoted(_ text: String) -> String {
    text.count <= 40 ? "\"\(text)\"" : "\"\(text.prefix(40))…\""
  }
}

extension KeyedDecodingContainer {
  /// An integer field, decoded through Double: Foundation's JSONDecoder reports 12.5 or 1e30
  /// for an Int as "not valid JSON" with no path, and the caller needs to know which field.
  fileprivate func decodeWholeNumberIfPresent(forKey key: Key) throws -> Int? {
    guard let number = try decodeIfPresent(Double.self, forKey: key) else { return nil }
    guard let whole = Int(exactly: number) else {
      throw DecodingError.dataCorruptedError(
        forKey: key, in: self, debugDescription: "must be a whole number, got \(number)")
    }
    return whole
  }
}
