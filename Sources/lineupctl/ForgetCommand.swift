import ArgumentParser
import LineupWire
import SwiftProtobuf

/// `lineupctl forget USER`: erases everything Lineup keeps about a user (history, cached
/// responses, feed sessions, …). Irreversible; audited with the user id hashed.
struct ForgetCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forget",
    abstract: "Erase everything Lineup keeps about a user, and print what was removed.",
    discussion: "Irreversible. The audit log records the change with the user id hashed."
  )

  @Argument(help: "The user id to forget.")
  var user: String

  @OptionGroup
  var change: ChangeReason

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func validate() throws {
    if user.isEmpty { throw ValidationError("the user id is empty") }
  }

  func run() async throws {
    let request = Lineup_V1_DeleteUserDataRequest.with {
      $0.userID = user
      $0.reason = change.reason
    }
    try await LineupConnection.with(global) { lineup in
      let response = try await lineup.call {
        try await lineup.admin.deleteUserData(request, metadata: lineup.adminMetadata, options: $0, onResponse: LineupConnection.outcome)
      }
      try emit(response, json: lineup.settings.json) {
        guard !response.removed.isEmpty else { return print("nothing was stored for \(user)") }
        var table = TextTable(["kind", "count"], rightAligned: [1])
        for removed in response.removed { table.append([removed.kind, String(removed.count)]) }
        table.append(["total", String(response.removed.reduce(0) { $0 + $1.count })])
        print(table.rendered)
      }
    }
  }
}
