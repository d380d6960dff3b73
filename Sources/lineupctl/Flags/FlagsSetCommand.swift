import ArgumentParser
import LineupWire

/// `lineupctl flags set NAME …`: a partial update. Only the settings given change; the rest
/// are read from ListFlags and sent back as they were.
struct FlagsSetCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "set",
    abstract: "Change some settings of a flag, keeping the rest.",
    discussion: """
      Reads the flag with ListFlags, changes only the settings given, and sends it back with \
      SetFlag; prints the flag before and after. A change another operator makes between the \
      read and the write is overwritten (the API has no compare-and-set); lineupctl warns when \
      that happened.
      """
  )

  @Argument(help: "The flag's name, e.g. recs or source.model.")
  var name: String

  @Option(help: ArgumentHelp("Share of users admitted, 0–100 percent with up to two decimals (12.5 = 1250 bps).", valueName: "pct"))
  var rollout: String?

  @Option(help: ArgumentHelp("Countries it is limited to, comma-separated ISO 3166-1 alpha-2; \"\" for everywhere.", valueName: "BR,US"))
  var regions: String?

  @Flag(inversion: .prefixedNo, help: "Shadow mode: serve the baseline, compute the capability alongside and compare.")
  var shadow: Bool?

  @Option(help: ArgumentHelp("Experiment arms name=weight_bps adding up to 10000, in bucket order; \"\" for none.", valueName: "control=5000,treatment=5000"))
  var variants: String?

  @Option(help: "Hash salt; changing it reshuffles who is in the rollout. \"\" means the flag's name.")
  var salt: String?

  @Option(name: .customLong("description"), help: "Free-form description for operators.")
  var flagDescription: String?

  @Flag(inversion: .prefixedNo, help: "Kill switch: off for everyone, whatever else is set.")
  var killed: Bool?

  @Flag(help: "Create the flag when it does not exist yet (then --rollout is required: a new flag has no rollout to keep).")
  var create = false

  @OptionGroup
  var change: ChangeReason

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func validate() throws {
    let edit = try self.edit()
    if edit.isEmpty {
      throw ValidationError("nothing to change: give at least one of --rollout, --regions, --[no-]shadow, --variants, --salt, --description, --[no-]killed")
    }
    if create && edit.rolloutBps == nil { throw ValidationError("--create needs --rollout: a new flag has no rollout to keep") }
  }

  func run() async throws {
    try await edit().send(to: name, reason: change.reason, create: create, options: global)
  }

  private func edit() throws -> FlagEdit {
    FlagEdit(
      killed: killed,
      rolloutBps: try rollout.map(FlagEdit.rolloutBps),
      regions: try regions.map(FlagEdit.regions),
      shadow: shadow,
      variants: try variants.map(FlagEdit.variants),
      salt: salt,
      description: flagDescription)
  }
}
