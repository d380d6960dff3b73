import ArgumentParser
import LineupWire

/// `lineupctl breakers auto NAME`: override AUTO, which undoes `open` and `close`.
struct BreakersAutoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "auto",
    abstract: "Return a breaker to automatic: it follows its own state machine again (override AUTO)."
  )

  @Argument(help: "The breaker's name, as in `breakers list` (e.g. redis.read).")
  var name: String

  @OptionGroup
  var change: ChangeReason

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func run() async throws {
    try await BreakersCommand.setOverride(.auto, name: name, reason: change.reason, options: global)
  }
}
