import ArgumentParser
import Foundation
import LineupWire
import SwiftProtobuf

/// `lineupctl flags`: feature flags (docs/flags.md), read and changed through the Admin service.
struct FlagsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "flags",
    abstract: "List and change feature flags.",
    subcommands: [FlagsListCommand.self, FlagsSetCommand.self, FlagsKillCommand.self, FlagsRolloutCommand.self]
  )
}

/// A partial change to one flag: only the settings given on the command line, laid over the
/// flag as ListFlags shows it. SetFlag replaces a whole flag, so `set`, `kill` and `rollout`
/// all read first and send the flag back with only these fields changed.
struct FlagEdit: Sendable {
  var killed: Bool?
  var rolloutBps: Int32?
  var regions: [String]?
  var shadow: Bool?
  var variants: [Lineup_V1_FlagVariant]?
  var salt: String?
  var description: String?

  var isEmpty: Bool {
    killed == nil && rolloutBps == nil && regions == nil && shadow == nil && variants == nil && salt == nil && description == nil
  }

  func applied(to flag: Lineup_V1_Flag) -> Lineup_V1_Flag {
    var flag = flag
    if let killed { flag.killed = killed }
    if let rolloutBps { flag.rolloutBps = rolloutBps }
    if let regions { flag.regions = regions }
    if let shadow { flag.shadow = shadow }
    if let variants { flag.variants = variants }
    if let salt { flag.salt = salt }
    if let description { flag.description_p = description }
    // The server sets these; SetFlag ignores them, so they are not sent back.
    flag.clearUpdatedAt()
    flag.updatedBy = ""
    return flag
  }

  /// "12.5" or "12.5%" → 1250 basis points; 0…100 with at most two decimals.
  static func rolloutBps(_ text: String) throws -> Int32 {
    let number = text.hasSuffix("%") ? String(text.dropLast()) : text
    guard let bps = FixedPoint.parse(number, decimals: 2), bps <= 10_000 else {
      throw ValidationError("the rollout must be a percentage 0…100 with at most two decimals (e.g. 12.5), got \"\(text)\"")
    }
    return Int32(bps)
  }

  /// "BR,us" → ["BR", "US"]; "" clears the list (everywhere).
  static func regions(_ text: String) throws -> [String] {
    let codes = try text.split(separator: ",").map { try countryCode($0.trimmingCharacters(in: .whitespaces), option: "--regions") }
    if let duplicate = codes.firstDuplicate { throw ValidationError("--regions names \(duplicate) twice") }
    return codes
  }

  /// "control=5000,treatment=5000" → variants in that order (the order assigns buckets);
  /// weights in basis points adding up to 10000; "" removes the experiment.
  static func variants(_ text: String) throws -> [Lineup_V1_FlagVariant] {
    let variants = try text.split(separator: ",").map { pair -> Lineup_V1_FlagVariant in
      let parts = pair.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, let weight = Int32(parts[1].trimmingCharacters(in: .whitespaces)), weight >= 0 else {
        throw ValidationError("--variants takes name=weight_bps pairs, e.g. control=5000,treatment=5000; got \"\(pair)\"")
      }
      return .with {
        $0.name = parts[0].trimmingCharacters(in: .whitespaces)
        $0.weightBps = weight
      }
    }
    if let duplicate = variants.map(\.name).firstDuplicate { throw ValidationError("--variants names \(duplicate) twice") }
    let total = variants.reduce(0) { $0 + Int($1.weightBps) }
    if !variants.isEmpty && total != 10_000 {
      throw ValidationError("--variants weights are basis points and must add up to 10000, got \(total)")
    }
    return variants
  }

  /// Reads the flag, applies `self`, sends it with `reason`, and prints before and after.
  /// `create` allows a flag ListFlags does not show; without it an unknown name is an error,
  /// because a mistyped name would otherwise create a flag that governs nothing.
  func send(to name: String, reason: String, create: Bool, options: GlobalOptions) async throws {
    try await LineupConnection.with(options) { lineup in
      let listed = try await lineup.call {
        try await lineup.admin.listFlags(.init(), metadata: lineup.adminMetadata, options: $0, onResponse: LineupConnection.outcome)
      }
      let current = listed.flags.first { $0.name == name }
      guard current != nil || create else {
        let known = listed.flags.map(\.name).sorted().joined(separator: ", ")
        throw LineupctlError(
          code: .badInput, message: "no flag named \"\(name)\" (known: \(known.isEmpty ? "none" : known)); `flags set \(name) --create …` creates it")
      }
      if !listed.stateIsFresh {
        printError("lineupctl: warning: this replica cannot reach the shared store; the flag was read from its last known state")
      }
      let request = Lineup_V1_SetFlagRequest.with {
        $0.flag = applied(to: current ?? .with { $0.name = name })
        $0.reason = reason
      }
      let response = try await lineup.call {
        try await lineup.admin.setFlag(request, metadata: lineup.adminMetadata, options: $0, onResponse: LineupConnection.outcome)
      }
      // There is no compare-and-set: another operator's change landing between ListFlags and
      // SetFlag is overwritten. The server's `previous` shows what was replaced, so say so.
      if let current, response.hasPrevious, FlagEdit().applied(to: response.previous) != FlagEdit().applied(to: current) {
        printError(
          "lineupctl: warning: \(name) changed between reading and writing it (by \(response.previous.updatedBy)); the BEFORE column is what this change replaced"
        )
      }
      try emit(response, json: lineup.settings.json) {
        print(Self.comparison(before: response.hasPrevious ? response.previous : nil, after: response.flag).rendered)
      }
    }
  }

  /// Field by field, before and after, changed fields marked with `*`.
  static func comparison(before: Lineup_V1_Flag?, after: Lineup_V1_Flag) -> TextTable {
    var table = TextTable(["", "field", "before", "after"])
    let afterFields = after.displayFields
    let beforeFields = before?.displayFields
    for (index, field) in afterFields.enumerated() {
      let old = beforeFields?[index].value ?? "(new)"
      let changed = old != field.value && field.name != "updated" && field.name != "by"
      table.append([changed ? "*" : "", field.name, old, field.value])
    }
    return table
  }
}

extension Lineup_V1_Flag {
  /// The flag's settings as (name, value) pairs for the before/after table.
  var displayFields: [(name: String, value: String)] {
    [
      ("name", name),
      ("killed", String(killed)),
      ("rollout", "\(percent(basisPoints: rolloutBps)) (\(rolloutBps) bps)"),
      ("regions", regionsLabel),
      ("shadow", String(shadow)),
      ("variants", variantsLabel),
      ("salt", saltLabel),
      ("description", description_p.isEmpty ? "-" : description_p),
      ("updated", timestamp(updatedAt, present: hasUpdatedAt)),
      ("by", updatedBy.isEmpty ? "-" : updatedBy),
    ]
  }

  var regionsLabel: String { regions.isEmpty ? "everywhere" : regions.joined(separator: ",") }

  var variantsLabel: String {
    variants.isEmpty ? "-" : variants.map { "\($0.name)=\($0.weightBps)" }.joined(separator: ",")
  }

  /// An empty salt means the flag's name (docs/flags.md), so show which one is in force.
  var saltLabel: String { salt.isEmpty ? "(name: \(name))" : salt }
}

extension Array where Element: Hashable {
  /// The first element that occurs twice, if any.
  fileprivate var firstDuplicate: Element? {
    var seen = Set<Element>()
    return first { !seen.insert($0).inserted }
  }
}
