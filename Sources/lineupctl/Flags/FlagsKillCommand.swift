import ArgumentParser
import LineupWire

/// `lineupctl flags kill NAME`: the kill switch, everything else about the flag kept (so
/// `flags set NAME --no-killed` restores exactly the previous rollout).
struct FlagsKillCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kill",
    abstract: "Turn a capability off for everyone (killed=true), keeping the flag's other settings.",
    discussion: "Undo with `lineupctl flags set NAME --no-killed --reason …`."
  )

  @Argument(help: "The flag's name, e.g. recs.")
  var name: String

  @OptionGroup
  var change: ChangeReason

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func run() async throws {
    try await FlagEdit(killed: true).send(to: name, reason: change.reason, create: false, options: global)
  }
}
