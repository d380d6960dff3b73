import ArgumentParser
import LineupWire

/// `lineupctl breakers open NAME`: override FORCED_OPEN, for a dependency failing in ways the breaker does not see (wrong answers, not errors).
struct BreakersOpenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "open",
    abstract: "Force a breaker open: every call goes to the fallback (override FORCED_OPEN)."
  )

  @Argument(help: "The breaker's name, as in `breakers list` (e.g. redis.read).")
  var name: String

  @OptionGroup
  var change: ChangeReason

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func run() async throws {
    try await BreakersCommand.setOverride(.forcedOpen, name: name, reason: change.reason, options: global)
  }
}
