import ArgumentParser
import LineupWire

/// `lineupctl breakers list`: every breaker of the replica --target reaches.
struct BreakersListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List circuit breakers: state, override, failure and slow-call rates, calls in the window, since when."
  )

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func run() async throws {
    try await LineupConnection.with(global) { lineup in
      let response = try await lineup.call {
        try await lineup.admin.listBreakers(.init(), metadata: lineup.adminMetadata, options: $0, onResponse: LineupConnection.outcome)
      }
      try emit(response, json: lineup.settings.json) {
        guard !response.breakers.isEmpty else { return print("no breakers") }
        print(BreakersCommand.table(response.breakers.sorted { $0.name < $1.name }).rendered)
      }
    }
  }
}
