import ArgumentParser
import LineupWire
import SwiftProtobuf

/// `lineupctl breakers`: the circuit breakers in front of Lineup's dependencies, and the
/// operator overrides that force them open, closed, or back to automatic.
struct BreakersCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "breakers",
    abstract: "List circuit breakers and override them.",
    discussion: "Breakers are per replica: --target reaches one, and lists that one's breakers.",
    subcommands: [BreakersListCommand.self, BreakersOpenCommand.self, BreakersCloseCommand.self, BreakersAutoCommand.self]
  )

  /// Applies `override` to the breaker `name` and prints it with the override it replaced.
  /// Shared by `open`, `close` and `auto`, which differ only in the override.
  static func setOverride(
    _ override: Lineup_V1_BreakerOverride, name: String, reason: String, options: GlobalOptions
  ) async throws {
    try await LineupConnection.with(options) { lineup in
      let request = Lineup_V1_SetBreakerOverrideRequest.with {
        $0.name = name
        $0.override = override
        $0.reason = reason
      }
      let response = try await lineup.call {
        try await lineup.admin.setBreakerOverride(request, metadata: lineup.adminMetadata, options: $0, onResponse: LineupConnection.outcome)
      }
      try emit(response, json: lineup.settings.json) {
        print("override: \(response.previousOverride.label) → \(response.breaker.override.label)")
        print(table([response.breaker]).rendered)
      }
    }
  }

  /// name, state, override, failure rate, slow rate, calls, since.
  static func table(_ breakers: [Lineup_V1_Breaker]) -> TextTable {
    var table = TextTable(["name", "state", "override", "failure rate", "slow rate", "calls", "since"], rightAligned: [3, 4, 5])
    for breaker in breakers {
      table.append([
        breaker.name, breaker.state.label, breaker.override.label, percent(rate: breaker.failureRate),
        percent(rate: breaker.slowCallRate), String(breaker.callsInWindow), timestamp(breaker.since, present: breaker.hasSince),
      ])
    }
    return table
  }
}

extension Lineup_V1_BreakerState {
  /// The name as the proto spells it, without the enum prefix (UNRECOGNIZED values keep their number).
  var label: String {
    switch self {
    case .unspecified: "UNSPECIFIED"
    case .closed: "CLOSED"
    case .open: "OPEN"
    case .halfOpen: "HALF_OPEN"
    case .forcedOpen: "FORCED_OPEN"
    case .disabled: "DISABLED"
    case .UNRECOGNIZED(let value): "STATE_\(value)"
    }
  }
}

extension Lineup_V1_BreakerOverride {
  /// The name as the proto spells it, without the enum prefix (UNRECOGNIZED values keep their number).
  var label: String {
    switch self {
    case .unspecified: "UNSPECIFIED"
    case .auto: "AUTO"
    case .forcedOpen: "FORCED_OPEN"
    case .disabled: "DISABLED"
    case .UNRECOGNIZED(let value): "OVERRIDE_\(value)"
    }
  }
}
