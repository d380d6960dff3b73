import ArgumentParser

/// `lineupctl fallback`: the popularity-by-country fallback data each replica serves from.
struct FallbackCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fallback",
    abstract: "Manage the fallback data.",
    subcommands: [FallbackReloadCommand.self]
  )
}
