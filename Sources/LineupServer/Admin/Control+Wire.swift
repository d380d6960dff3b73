import Foundation
import LineupCore
import LineupWire
import SwiftProtobuf

// Control-plane values between the domain and lineup.v1 (admin.proto).

extension FeatureFlag {
  /// A SetFlag flag: an empty salt stays empty so `ControlAdmin` keeps the stored one (in
  /// proto3 "" cannot be told from unset); updated_at and updated_by are the server's.
  init(wire: Lineup_V1_Flag) {
    self.init(
      name: wire.name, killed: wire.killed, rolloutBps: Int(wire.rolloutBps), regions: wire.regions, shadow: wire.shadow,
      variants: wire.variants.map { FlagVariant(name: $0.name, weightBps: Int($0.weightBps)) }, salt: wire.salt,
      description: wire.description_p)
  }
}

extension Lineup_V1_Flag {
  init(_ flag: FeatureFlag) {
    self.init()
    name = flag.name
    killed = flag.killed
    rolloutBps = Int32(clamping: flag.rolloutBps)
    regions = flag.regions
    shadow = flag.shadow
    variants = flag.variants.map { variant in .with { $0.name = variant.name; $0.weightBps = Int32(clamping: variant.weightBps) } }
    salt = flag.salt
    description_p = flag.description
    if let at = flag.updatedAt { updatedAt = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: at)) }
    updatedBy = flag.updatedBy
  }
}

extension Lineup_V1_Breaker {
  /// `wallClock` converts the breaker's monotonic `since` to a timestamp.
  init(_ snapshot: BreakerSnapshot, monotonicNow: Double, wallNow: Double) {
    self.init()
    name = snapshot.name
    state = switch snapshot.state {
    case .closed: .closed
    case .open: .open
    case .halfOpen: .halfOpen
    case .forcedOpen: .forcedOpen
    case .disabled: .disabled
    }
    override = Self.wire(snapshot.override)
    failureRate = snapshot.failureRate
    slowCallRate = snapshot.slowCallRate
    callsInWindow = Int32(clamping: snapshot.callsInWindow)
    since = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: wallNow - (monotonicNow - snapshot.since)))
  }

  static func wire(_ override: BreakerOverride) -> Lineup_V1_BreakerOverride {
    switch override {
    case .auto: .auto
    case .forcedOpen: .forcedOpen
    case .disabled: .disabled
    }
  }
}

extension Lineup_V1_AuditEvent {
  init(_ entry: AuditEntry) {
    self.init()
    id = entry.id
    actor = entry.actor
    at = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: entry.at))
    action = entry.action
    target = entry.target
    oldValue = entry.oldValue
    newValue = entry.newValue
    reason = entry.reason
  }
}
