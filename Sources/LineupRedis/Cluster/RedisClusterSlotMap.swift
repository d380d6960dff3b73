/// A cluster node's client endpoint, as `CLUSTER SLOTS`, `-MOVED` and `-ASK` name it.
package struct RedisClusterNode: Sendable, Hashable, CustomStringConvertible {
  package var host: String
  package var port: Int

  package init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// Parses `host:port` (the last colon splits, so an IPv6 host keeps its own). An empty host
  /// — Redis 7 sends `:port` when it does not know the address it is reachable at — means
  /// `defaultHost`, the host of the node that sent it.
  package init?(endpoint text: Substring, defaultHost: String) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
      (1...65535).contains(port)
    else { return nil }
    let host = text[..<colon]
    self.init(host: host.isEmpty || host == "?" ? defaultHost : String(host), port: port)
  }

  package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Which master serves each of the 16384 hash slots, as one `CLUSTER SLOTS` answer described
/// it. A value: a refresh builds a new map and swaps it in whole.
package struct RedisClusterSlotMap: Sendable, Equatable {
  /// A run of slots served by one master.
  package struct SlotRange: Sendable, Hashable {
    package var slots: ClosedRange<Int>
    package var master: RedisClusterNode

    package init(slots: ClosedRange<Int>, master: RedisClusterNode) {
      self.slots = slots
      self.master = master
    }
  }

  /// The masters that serve at least one slot, in the order the map first names them.
  package private(set) var masters: [RedisClusterNode]
  /// For each slot, its master's index in `masters`, or `unassigned`. A flat table so routing
  /// a command is one array read (32 KiB per map).
  private var owners: [UInt16]
  private static let unassigned = UInt16.max

  /// A map from slot ranges; a later range wins where ranges overlap.
  package init(ranges: [SlotRange]) {
    var masters: [RedisClusterNode] = []
    var indices: [RedisClusterNode: UInt16] = [:]
    var owners = [UInt16](repeating: Self.unassigned, count: RedisClusterSlot.count)
    for range in ranges {
      let index: UInt16
      if let known = indices[range.master] {
        index = known
      } else {
        index = UInt16(masters.count)
        indices[range.master] = index
        masters.append(range.master)
      }
      let slots = range.slots.clamped(to: 0...(RedisClusterSlot.count - 1))
      for slot in slots { owners[slot] = index }
    }
    // A master whose ranges were all overwritten serves nothing: drop it, renumbering the
    // others in order.
    let serving = Set(owners)
    if serving.subtracting([Self.unassigned]).count != masters.count {
      var renumbered = [UInt16](repeating: Self.unassigned, count: masters.count)
      var kept: [RedisClusterNode] = []
      for (index, master) in masters.enumerated() where serving.contains(UInt16(index)) {
        renumbered[index] = UInt16(kept.count)
        kept.append(master)
      }
      owners = owners.map { $0 == Self.unassigned ? $0 : renumbered[Int($0)] }
      masters = kept
    }
    self.masters = masters
    self.owners = owners
  }

  /// Parses a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id, …], replica…], …]`.
  /// Replicas are ignored: writes and consistent reads go to masters. An empty host means
  /// `defaultHost`, the host of the node that answered (Redis sends "" for a node that does
  /// not know its own address yet).
  package init(clusterSlots reply: RESPValue, defaultHost: String) throws(RedisError) {
    guard let entries = reply.array else {
      throw RedisError(.protocolError, "CLUSTER SLOTS answered \(reply.kindName), not an array")
    }
    var ranges: [SlotRange] = []
    for entry in entries {
      guard let fields = entry.array, fields.count >= 3,
        let start = fields[0].integer, let end = fields[1].integer,
        0 <= start, start <= end, end < RedisClusterSlot.count,
        let master = fields[2].array, master.count >= 2,
        let host = master[0].string, let port = master[1].integer, (1...65535).contains(port)
      else {
        throw RedisError(.protocolError, "CLUSTER SLOTS entry is not [start, end, [host, port, …], …]")
      }
      let node = RedisClusterNode(host: host.isEmpty || host == "?" ? defaultHost : host, port: Int(port))
      ranges.append(SlotRange(slots: Int(start)...Int(end), master: node))
    }
    self.init(ranges: ranges)
  }

  /// The master serving `slot`, nil when no node serves it.
  package func master(forSlot slot: Int) -> RedisClusterNode? {
    guard slot >= 0, slot < owners.count else { return nil }
    let index = owners[slot]
    return index == Self.unassigned ? nil : masters[Int(index)]
  }

  /// How many slots some master serves; 16384 when the cluster is fully covered.
  package var assignedSlots: Int {
    owners.reduce(0) { $0 + ($1 == Self.unassigned ? 0 : 1) }
  }

  /// The map as maximal runs of consecutive slots per master, in slot order.
  package var ranges: [SlotRange] {
    var ranges: [SlotRange] = []
    var start = 0
    while start < owners.count {
      var end = start
      while end + 1 < owners.count && owners[end + 1] == owners[start] { end += 1 }
      if owners[start] != Self.unassigned {
        ranges.append(SlotRange(slots: start...end, master: masters[Int(owners[start])]))
      }
      start = end + 1
    }
    return ranges
  }

  /// The map with `slot` served by `master` — what a `-MOVED` reply says — until the full
  /// refresh it also triggers replaces the map.
  package func reassigning(slot: Int, to master: RedisClusterNode) -> RedisClusterSlotMap {
    var ranges = self.ranges
    ranges.append(SlotRange(slots: slot...slot, master: master))
    return RedisClusterSlotMap(ranges: ranges)
  }

  /// Two maps are equal when every slot has the same master (whatever order named them).
  package static func == (lhs: RedisClusterSlotMap, rhs: RedisClusterSlotMap) -> Bool {
    lhs.ranges == rhs.ranges
  }
}

/// A `-MOVED` or `-ASK` error reply: the slot now lives elsewhere (MOVED, for good) or is
/// being migrated and this key may already be at the target (ASK, for this one command).
package struct RedisClusterRedirect: Sendable, Hashable {
  /// MOVED (update the map) or ASK (this command only).
  package enum Kind: Sendable, Hashable {
    case moved
    case ask
  }

  package var kind: Kind
  package var slot: Int
  package var node: RedisClusterNode

  /// Parses `MOVED 3999 127.0.0.1:6381` or `ASK 3999 127.0.0.1:6381` (the reply text
  /// without its `-`); nil for any other error reply.
  package init?(errorReply message: String, replyingHost: String) {
    let parts = message.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 3, let slot = Int(parts[1]), (0..<RedisClusterSlot.count).contains(slot),
      let node = RedisClusterNode(endpoint: parts[2], defaultHost: replyingHost)
    else { return nil }
    switch parts[0] {
    case "MOVED": kind = .moved
    case "ASK": kind = .ask
    default: return nil
    }
    self.slot = slot
    self.node = node
  }
}

extension RESPValue {
  /// The reply's kind, for error messages that must not echo user data.
  var kindName: String {
    switch self {
    case .status: "a status"
    case .error: "an error"
    case .integer: "an integer"
    case .bulk: "a bulk string"
    case .null: "null"
    case .array: "an array"
    }
  }
}
