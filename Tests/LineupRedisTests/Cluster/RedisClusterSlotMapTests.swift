import Testing

@testable import LineupRedis

/// Parsing `CLUSTER SLOTS` and redirect replies, and the map built from them.
@Suite("Redis Cluster slot map and redirects")
struct RedisClusterSlotMapTests {
  static func node(_ host: String, _ port: Int64, _ id: String) -> RESPValue {
    .array([.bulk(Array(host.utf8)), .integer(port), .bulk(Array(id.utf8)), .array([])])
  }

  static let reply: RESPValue = .array([
    .array([.integer(0), .integer(5460), node("10.0.0.1", 7000, "a"), node("10.0.0.4", 7003, "a-replica")]),
    .array([.integer(5461), .integer(10922), node("10.0.0.2", 7001, "b")]),
    .array([.integer(10923), .integer(16383), node("", 7002, "c")]),
  ])

  @Test("CLUSTER SLOTS becomes a map of masters; replicas are ignored; an empty host is the answering node's")
  func parse() throws {
    let map = try RedisClusterSlotMap(clusterSlots: Self.reply, defaultHost: "10.0.0.9")
    let a = RedisClusterNode(host: "10.0.0.1", port: 7000)
    let b = RedisClusterNode(host: "10.0.0.2", port: 7001)
    let c = RedisClusterNode(host: "10.0.0.9", port: 7002)
    #expect(map.masters == [a, b, c])
    #expect(map.master(forSlot: 0) == a)
    #expect(map.master(forSlot: 5460) == a)
    #expect(map.master(forSlot: 5461) == b)
    #expect(map.master(forSlot: 16383) == c)
    #expect(map.master(forSlot: 16384) == nil)
    #expect(map.assignedSlots == 16384)
    #expect(map.ranges.map(\.slots) == [0...5460, 5461...10922, 10923...16383])
  }

  @Test("a partial map leaves slots unassigned; a master split over ranges is one node")
  func partial() throws {
    let a = RedisClusterNode(host: "h", port: 1)
    let map = RedisClusterSlotMap(ranges: [.init(slots: 0...9, master: a), .init(slots: 20...29, master: a)])
    #expect(map.masters == [a])
    #expect(map.assignedSlots == 20)
    #expect(map.master(forSlot: 15) == nil)
    #expect(try RedisClusterSlotMap(clusterSlots: .array([]), defaultHost: "h").assignedSlots == 0)
  }

  @Test("reassigning one slot (a MOVED) changes only that slot and drops masters left with none")
  func reassign() {
    let a = RedisClusterNode(host: "h", port: 1)
    let b = RedisClusterNode(host: "h", port: 2)
    let map = RedisClusterSlotMap(ranges: [.init(slots: 0...8191, master: a), .init(slots: 8192...8192, master: b)])
      .reassigning(slot: 100, to: b)
    #expect(map.master(forSlot: 100) == b)
    #expect(map.master(forSlot: 99) == a && map.master(forSlot: 101) == a)
    #expect(map.assignedSlots == 8193)
    let moved = map.reassigning(slot: 8192, to: a).reassigning(slot: 100, to: a)
    #expect(moved.masters == [a])
    #expect(moved != map)
  }

  @Test(
    "malformed CLUSTER SLOTS replies are protocol errors",
    arguments: [
      RESPValue.status("OK"),
      .array([.array([.integer(0), .integer(16384), node("h", 1, "x")])]),
      .array([.array([.integer(10), .integer(5), node("h", 1, "x")])]),
      .array([.array([.integer(0), .integer(5)])]),
      .array([.array([.integer(0), .integer(5), .array([.bulk(Array("h".utf8)), .integer(0)])])]),
    ])
  func malformed(reply: RESPValue) {
    #expect {
      try RedisClusterSlotMap(clusterSlots: reply, defaultHost: "h")
    } throws: { error in
      (error as? RedisError)?.code == .protocolError
    }
  }

  @Test("MOVED and ASK replies parse; other errors do not")
  func redirects() {
    let moved = RedisClusterRedirect(errorReply: "MOVED 3999 127.0.0.1:6381", replyingHost: "x")
    #expect(moved?.kind == .moved)
    #expect(moved?.slot == 3999)
    #expect(moved?.node == RedisClusterNode(host: "127.0.0.1", port: 6381))
    let ask = RedisClusterRedirect(errorReply: "ASK 1 ::1:7000", replyingHost: "x")
    #expect(ask?.kind == .ask)
    #expect(ask?.node == RedisClusterNode(host: "::1", port: 7000))
    #expect(ask?.node.description == "[::1]:7000")
    #expect(RedisClusterRedirect(errorReply: "MOVED 5 :7000", replyingHost: "10.1.1.1")?.node.host == "10.1.1.1")
    for other in [
      "TRYAGAIN Multiple keys request during rehashing of slot", "CLUSTERDOWN Hash slot not served",
      "ERR MOVED is not a command", "MOVED 16384 h:1", "MOVED x h:1", "ASK 1 h", "ASK 1 h:0", "moved 1 h:1",
    ] {
      #expect(RedisClusterRedirect(errorReply: other, replyingHost: "x") == nil, "\(other)")
    }
  }
}
