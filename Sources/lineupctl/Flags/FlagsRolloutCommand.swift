import ArgumentParser
import LineupWire

/// `lineupctl flags rollout NAME PCT`: changes only the rollout share. Under the same salt a
/// higher share only adds users and a lower one only removes them (docs/flags.md).
struct FlagsRolloutCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollout",
    abstract: "Set the share of users a flag admits, keeping its other settings."
  )

  @Argument(help: "The flag's name, e.g. recs.")
  var name: String

  @Argument(help: ArgumentHelp("Percentage 0–100 with up to two decimals, e.g. 12.5 (= 1250 bps).", valueName: "pct"))
  var percentage: String

  @OptionGroup
  var change: ChangeReason

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func validate() throws {
    _ = try FlagEdit.rolloutBps(percentage)
  }

  func run() async throws {
    try await FlagEdit(rolloutBps: FlagEdit.rolloutBps(percentage)).send(to: name, reason: change.reason, create: false, options: global)
  }
}
