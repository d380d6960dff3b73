import ArgumentParser
import LineupWire
import SwiftProtobuf

/// `lineupctl audit tail`: the newest audit events first, pageable with --before.
struct AuditTailCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tail",
    abstract: "Show the newest audit events first: who changed what, from which value to which, and why."
  )

  @Option(help: "How many events, 1…1000.")
  var limit = 20

  @Option(help: ArgumentHelp("Only events older than this id (the last ID of the previous page).", valueName: "id"))
  var before: String?

  @Flag(help: "Do not shorten old → new values and reasons.")
  var wide = false

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func validate() throws {
    guard (1...1_000).contains(limit) else { throw ValidationError("--limit must be 1…1000, got \(limit)") }
  }

  func run() async throws {
    let request = Lineup_V1_ListAuditEventsRequest.with {
      $0.limit = Int32(limit)
      $0.beforeID = before ?? ""
    }
    try await LineupConnection.with(global) { lineup in
      let response = try await lineup.call {
        try await lineup.admin.listAuditEvents(request, metadata: lineup.adminMetadata, options: $0, onResponse: LineupConnection.outcome)
      }
      try emit(response, json: lineup.settings.json) {
        guard !response.events.isEmpty else { return print("no audit events") }
        var table = TextTable(["id", "at", "actor", "action", "target", "old → new", "reason"])
        // The server sends newest first; the order is kept.
        for event in response.events {
          let change = "\(event.oldValue.isEmpty ? "-" : event.oldValue) → \(event.newValue.isEmpty ? "-" : event.newValue)"
          table.append([
            event.id, timestamp(event.at, present: event.hasAt), event.actor, event.action, event.target,
            wide ? change : truncated(change, to: 72), wide ? event.reason : truncated(event.reason, to: 40),
          ])
        }
        print(table.rendered)
      }
    }
  }
}
