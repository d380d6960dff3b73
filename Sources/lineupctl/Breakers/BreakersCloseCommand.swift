import ArgumentParser
import LineupWire

/// `lineupctl breakers close NAME`: override DISABLED, for a breaker tripping on a dependency known to be healthy; nothing protects the request path while it holds.
struct BreakersCloseCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "close",
    abstract: "Force a breaker closed: every call goes to the dependency, nothing is counted (override DISABLED)."
  )

  @Argument(help: "The breaker's name, as in `breakers list` (e.g. redis.read).")
  var name: String

  @OptionGroup
  var change: ChangeReason

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func run() async throws {
    try await BreakersCommand.setOverride(.disabled, name: name, reason: change.reason, options: global)
  }
}
