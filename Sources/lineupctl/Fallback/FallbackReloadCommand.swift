import ArgumentParser
import LineupWire
import SwiftProtobuf

/// `lineupctl fallback reload`: re-reads the fallback-data files on the replica --target
/// reaches. ReloadFallback is per replica, so behind a load balancer run it against each.
struct FallbackReloadCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reload",
    abstract: "Re-read the fallback-data files on one replica; print what was loaded and every problem.",
    discussion: "The reload acts on the replica --target reaches only: address each replica in turn."
  )

  @OptionGroup
  var change: ChangeReason

  @OptionGroup(title: "Connection and output")
  var global: GlobalOptions

  func run() async throws {
    let request = Lineup_V1_ReloadFallbackRequest.with { $0.reason = change.reason }
    try await LineupConnection.with(global) { lineup in
      let response = try await lineup.call {
        try await lineup.admin.reloadFallback(request, metadata: lineup.adminMetadata, options: $0, onResponse: LineupConnection.outcome)
      }
      try emit(response, json: lineup.settings.json) {
        var summary = TextTable(["", ""], showsHeader: false)
        summary.append(["countries", String(response.countries)])
        summary.append(["items", String(response.items)])
        summary.append(["bad rows", String(response.badRows)])
        summary.append(["data version", response.dataVersion.isEmpty ? "-" : response.dataVersion])
        print(summary.rendered)
        if !response.warnings.isEmpty {
          print("")
          print("warnings:")
          for warning in response.warnings { print("  \(warning)") }
        }
      }
    }
  }
}
