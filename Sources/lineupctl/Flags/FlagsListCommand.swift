import ArgumentParser
import LineupWire

/// `lineupctl flags list`: every flag with its settings, as this replica sees them.
struct FlagsListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List every feature flag and its settings."
  )

  @Flag(help: "Do not shorten long descriptions.")
  var wide = false

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func run() async throws {
    try await LineupConnection.with(global) { lineup in
      let response = try await lineup.call {
        try await lineup.admin.listFlags(.init(), metadata: lineup.adminMetadata, options: $0, onResponse: LineupConnection.outcome)
      }
      if !response.stateIsFresh {
        printError("lineupctl: warning: this replica cannot reach the shared store; these are its last known flags")
      }
      try emit(response, json: lineup.settings.json) {
        guard !response.flags.isEmpty else { return print("no flags") }
        var table = TextTable(["name", "killed", "rollout", "regions", "shadow", "variants", "salt", "updated", "by", "description"])
        for flag in response.flags.sorted(by: { $0.name < $1.name }) {
          table.append([
            flag.name, flag.killed ? "KILLED" : "-", percent(basisPoints: flag.rolloutBps), flag.regionsLabel,
            flag.shadow ? "shadow" : "-", flag.variantsLabel, flag.saltLabel, timestamp(flag.updatedAt, present: flag.hasUpdatedAt),
            flag.updatedBy.isEmpty ? "-" : flag.updatedBy, wide ? flag.description_p : truncated(flag.description_p, to: 40),
          ])
        }
        print(table.rendered)
      }
    }
  }
}
