import LineupTesting
import Logging
import Testing

@testable import LineupRedis

/// Every test here runs its own Redis Cluster of real redis-server processes (3 masters on
/// free loopback ports). Serialized: failure detection and gossip are timing-sensitive, and a
/// dozen clusters at once on a 2-core CI machine would test the machine, not the client.
@Suite("Redis Cluster client against real redis-server clusters", .serialized)
struct RedisClusterClientTests {
  static func deadline(_ seconds: Double = 5) -> ContinuousClock.Instant { .now + .seconds(seconds) }

  static func bulk(_ text: String) -> RESPValue { .bulk(Array(text.utf8)) }

  /// Runs a client for the duration of `body`, then cancels `run()` and waits for it.
  static func withClient<T>(
    _ seeds: [RedisURL],
    configure: (inout RedisClusterClient.Configuration) -> Void = { _ in },
    _ body: (RedisClusterClient) async throws -> T
  ) async throws -> T {
    var configuration = RedisClusterClient.Configuration(seeds: seeds)
    configuration.initialBackoff = .milliseconds(20)
    configuration.maximumBackoff = .milliseconds(200)
    configure(&configuration)
    let client = RedisClusterClient(configuration: configuration, logger: Logger(label: "test"))
    let running = Task { try await client.run() }
    do {
      let result = try await body(client)
      running.cancel()
      _ = try? await running.value
      return result
    } catch {
      running.cancel()
      _ = try? await running.value
      throw error
    }
  }

  /// True once the client has a full slot map and a pool for each of the cluster's masters.
  static func ready(_ client: RedisClusterClient, masters: Int = 3) async throws -> Bool {
    try await eventually(timeout: .seconds(15)) {
      client.slotMap?.assignedSlots == RedisClusterSlot.count && client.nodes.count == masters && client.isConnected
    }
  }

  static func node(_ cluster: RedisClusterProcess, _ index: Int) -> RedisClusterNode {
    RedisClusterNode(host: "127.0.0.1", port: cluster.nodes[index].port)
  }

  /// Keys named `prefix<i>` served by node `index` at start (the even split).
  static func keys(_ prefix: String, onNode index: Int, count: Int, masters: Int = 3) -> [String] {
    let slots = RedisClusterProcess.initialSlots(ofNode: index, masters: masters)
    var keys: [String] = []
    var candidate = 0
    while keys.count < count {
      let key = "\(prefix)\(candidate)"
      if slots.contains(RedisClusterSlot.slot(for: key)) { keys.append(key) }
      candidate += 1
    }
    return keys
  }

  @Test("our slot function agrees with CLUSTER KEYSLOT of a live node")
  func slotsAgreeWithRedis() async throws {
    let cluster = try await RedisClusterProcess.start()
    try await Self.withClient(cluster.seedURLs) { client in
      #expect(try await Self.ready(client))
      var keys = (0..<500).map {
        $0 % 3 == 0 ? "{tag\($0 % 11)}:\($0)" : "key:\($0):\(UInt64.random(in: 0...UInt64.max))"
      }
      keys += ["", "{", "}{", "{}", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}", "{user1000}.following", "é{ü}"]
      // CLUSTER KEYSLOT is keyless, so the whole pipeline goes to one node.
      let replies = try await client.pipeline(
        keys.map { RedisCommand("CLUSTER", "KEYSLOT", $0) }, deadline: Self.deadline())
      #expect(replies == keys.map { .integer(Int64(RedisClusterSlot.slot(for: $0))) })
    }
  }

  @Test("1,000 keys over all slots: SET and GET pipelines span every node and keep the caller's order")
  func thousandKeys() async throws {
    let cluster = try await RedisClusterProcess.start()
    try await Self.withClient(cluster.seedURLs) { client in
      #expect(try await Self.ready(client))
      let keys = (0..<1_000).map { "key:\($0)" }
      let sets = try await client.pipeline(
        keys.map { RedisCommand("SET", $0, "value-of-\($0)") }, deadline: Self.deadline())
      #expect(sets == Array(repeating: .status("OK"), count: keys.count))

      // GETs interleaved with keyless ECHOs, which ride with the key before them.
      var commands: [RedisCommand] = []
      var expected: [RESPValue] = []
      for (index, key) in keys.enumerated() {
        commands.append(RedisCommand("GET", key))
        expected.append(Self.bulk("value-of-\(key)"))
        if index % 97 == 0 {
          commands.append(RedisCommand("ECHO", "marker-\(index)"))
          expected.append(Self.bulk("marker-\(index)"))
        }
      }
      #expect(try await client.pipeline(commands, deadline: Self.deadline()) == expected)

      // The keys really are spread: every node holds some, together exactly the 1,000.
      var sizes: [Int64] = []
      for index in cluster.nodes.indices {
        sizes.append(try await cluster.send(RedisCommand("DBSIZE"), toNode: index).integer ?? -1)
      }
      #expect(sizes.allSatisfy { $0 > 100 }, "keys per node: \(sizes)")
      #expect(sizes.reduce(0, +) == 1_000)
      // …and each sits on the node serving its slot.
      for key in keys.prefix(30) {
        let owner = try await cluster.nodeIndex(servingSlot: RedisClusterSlot.slot(for: key))
        #expect(try await cluster.send(RedisCommand("GET", key), toNode: owner) == Self.bulk("value-of-\(key)"))
      }
    }
  }

  @Test("keys sharing a hash tag go to one node, so multi-key commands and MULTI/EXEC work")
  func hashTagsShareANode() async throws {
    let cluster = try await RedisClusterProcess.start()
    try await Self.withClient(cluster.seedURLs) { client in
      #expect(try await Self.ready(client))
      let keys = (0..<20).map { "{user:1000}:field\($0)" }
      let slot = RedisClusterSlot.slot(for: "user:1000")
      #expect(try await cluster.send(RedisCommand("CLUSTER", "KEYSLOT", keys[7]), toNode: 0) == .integer(Int64(slot)))

      let sets = try await client.pipeline(keys.map { RedisCommand("SET", $0, $0) }, deadline: Self.deadline())
      #expect(sets.allSatisfy { $0 == .status("OK") })
      let owner = try await cluster.nodeIndex(servingSlot: slot)
      for index in cluster.nodes.indices {
        let held = try await cluster.send(RedisCommand("DBSIZE"), toNode: index)
        #expect(held == .integer(index == owner ? 20 : 0), "node \(index)")
      }
      #expect(
        try await cluster.send(RedisCommand("CLUSTER", "COUNTKEYSINSLOT", String(slot)), toNode: owner) == .integer(20))

      // One slot: a multi-key command is accepted (across slots Redis says -CROSSSLOT).
      let all = try await client.send(RedisCommand("MGET", keys), deadline: Self.deadline())
      #expect(all == .array(keys.map { Self.bulk($0) }))
      let cross = try await client.pipeline([RedisCommand("MGET", keys[0], "elsewhere")], deadline: Self.deadline())
      #expect(cross[0].isError(prefix: "CROSSSLOT"))

      // MULTI leads the pipeline with no key; it goes with the first keyed command.
      let transaction = try await client.pipeline(
        [
          RedisCommand("MULTI"), RedisCommand("INCR", "{user:1000}:n"), RedisCommand("INCR", "{user:1000}:n"),
          RedisCommand("EXEC"),
        ], deadline: Self.deadline())
      #expect(
        transaction == [.status("OK"), .status("QUEUED"), .status("QUEUED"), .array([.integer(1), .integer(2)])])
    }
  }

  @Test("after a slot moved, a client with the old map follows MOVED and refreshes its whole map")
  func followsMoved() async throws {
    let cluster = try await RedisClusterProcess.start()
    // No periodic refresh during the test: only the MOVED can teach the client.
    try await Self.withClient(cluster.seedURLs, configure: { $0.refreshInterval = .seconds(3600) }) { client in
      #expect(try await Self.ready(client))
      let key = "{moved}:a"
      let slot = RedisClusterSlot.slot(for: key)
      let source = try await cluster.nodeIndex(servingSlot: slot)
      let target = (source + 1) % cluster.nodes.count
      // A second slot of the same node moves too; only a full refresh can learn of it.
      let sourceSlots = RedisClusterProcess.initialSlots(ofNode: source, masters: cluster.nodes.count)
      let companion = slot == sourceSlots.lowerBound ? slot + 1 : sourceSlots.lowerBound
      #expect(
        try await client.send(RedisCommand("SET", key, "before the move"), deadline: Self.deadline()) == .status("OK"))

      try await cluster.moveSlot(slot, from: source, to: target)
      try await cluster.moveSlot(companion, from: source, to: target)
      #expect(try await cluster.send(RedisCommand("GET", key), toNode: source).isError(prefix: "MOVED \(slot) "))
      #expect(client.slotMap?.master(forSlot: slot) == Self.node(cluster, source), "the client's map is stale")

      #expect(
        try await client.send(RedisCommand("GET", key), deadline: Self.deadline()) == Self.bulk("before the move"))
      #expect(try await eventually { client.slotMap?.master(forSlot: companion) == Self.node(cluster, target) })
      #expect(client.slotMap?.master(forSlot: slot) == Self.node(cluster, target))
      // Writes after the refresh go straight to the new owner.
      #expect(try await client.send(RedisCommand("SET", key, "after"), deadline: Self.deadline()) == .status("OK"))
      #expect(try await cluster.send(RedisCommand("GET", key), toNode: target) == Self.bulk("after"))
    }
  }

  @Test("during a half-done migration the client follows ASK without changing its map; TRYAGAIN stays a reply")
  func followsAsk() async throws {
    let cluster = try await RedisClusterProcess.start()
    try await Self.withClient(cluster.seedURLs, configure: { $0.refreshInterval = .seconds(3600) }) { client in
      #expect(try await Self.ready(client))
      let keys = (0..<10).map { "{ask}:\($0)" }
      let slot = RedisClusterSlot.slot(for: "ask")
      let sets = try await client.pipeline(keys.map { RedisCommand("SET", $0, "v-\($0)") }, deadline: Self.deadline())
      #expect(sets == Array(repeating: .status("OK"), count: keys.count))
      let source = try await cluster.nodeIndex(servingSlot: slot)
      let target = (source + 2) % cluster.nodes.count

      let moved = try await cluster.beginSlotMove(slot, from: source, to: target, movingKeys: 4).map {
        String(decoding: $0, as: UTF8.self)
      }
      #expect(moved.count == 4)
      let stayed = keys.filter { !moved.contains($0) }
      #expect(try await cluster.send(RedisCommand("GET", moved[0]), toNode: source).isError(prefix: "ASK \(slot) "))

      // Moved keys come from the target (ASK), the rest from the source; order kept.
      let values = try await client.pipeline(keys.map { RedisCommand("GET", $0) }, deadline: Self.deadline())
      #expect(values == keys.map { Self.bulk("v-\($0)") })
      // A new key in a migrating slot is created on the target.
      #expect(
        try await client.send(RedisCommand("SET", "{ask}:new", "fresh"), deadline: Self.deadline()) == .status("OK"))
      // Keys split between source and target: Redis says TRYAGAIN; the client leaves it to the caller.
      let split = try await client.pipeline([RedisCommand("MGET", moved[0], stayed[0])], deadline: Self.deadline())
      #expect(split[0].isError(prefix: "TRYAGAIN"))
      #expect(client.slotMap?.master(forSlot: slot) == Self.node(cluster, source), "ASK must not change the map")

      try await cluster.finishSlotMove(slot, from: source, to: target)
      #expect(try await cluster.send(RedisCommand("GET", "{ask}:new"), toNode: target) == Self.bulk("fresh"))
      let after = try await client.pipeline(
        (keys + ["{ask}:new"]).map { RedisCommand("GET", $0) }, deadline: Self.deadline())
      #expect(after == keys.map { Self.bulk("v-\($0)") } + [Self.bulk("fresh")])
    }
  }

  @Test(
    "a killed node: its slots fail promptly with an error naming it, other slots keep working, and it is picked up again"
  )
  func nodeKilled() async throws {
    // Without this, the surviving masters refuse every slot once they agree the node failed.
    let cluster = try await RedisClusterProcess.start(arguments: ["--cluster-require-full-coverage", "no"])
    try await Self.withClient(cluster.seedURLs) { client in
      #expect(try await Self.ready(client))
      let keysByNode = (0..<3).map { Self.keys("kill:", onNode: $0, count: 20) }
      let all = keysByNode.flatMap { $0 }
      _ = try await client.pipeline(all.map { RedisCommand("SET", $0, "v-\($0)") }, deadline: Self.deadline())

      let dead = cluster.nodes[2]
      dead.kill()
      let clock = ContinuousClock()
      for key in keysByNode[2].prefix(3) {
        let started = clock.now
        do {
          _ = try await client.send(RedisCommand("GET", key), deadline: Self.deadline(2))
          Issue.record("GET \(key) succeeded with its node dead")
        } catch let error as RedisError {
          #expect([RedisError.Code.unavailable, .connectionClosed, .connectionFailed].contains(error.code), "\(error)")
          #expect(error.message.contains("127.0.0.1:\(dead.port)"), "\(error)")
        }
        #expect(clock.now - started < .seconds(3), "fails within the 2 s deadline + margin")
      }
      // Once the pool has noticed, the failure is the fail-fast kind, not a timeout.
      var code: RedisError.Code?
      for _ in 0..<100 where code != .unavailable {
        do {
          _ = try await client.send(RedisCommand("GET", keysByNode[2][0]), deadline: Self.deadline(2))
        } catch let error as RedisError {
          code = error.code
        }
        try await Task.sleep(for: .milliseconds(20))
      }
      #expect(code == .unavailable)

      let live = keysByNode[0] + keysByNode[1]
      let values = try await client.pipeline(live.map { RedisCommand("GET", $0) }, deadline: Self.deadline())
      #expect(values == live.map { Self.bulk("v-\($0)") })
      await #expect(throws: RedisError.self, "a pipeline needing the dead node fails as a whole") {
        try await client.pipeline(
          [RedisCommand("GET", keysByNode[0][0]), RedisCommand("GET", keysByNode[2][0])], deadline: Self.deadline(2))
      }

      // Back (empty: no persistence) and serving its slots again, without restarting the client.
      try await dead.restart()
      var back = false
      for _ in 0..<300 where !back {
        back =
          (try? await client.send(RedisCommand("SET", keysByNode[2][0], "again"), deadline: Self.deadline(1))) != nil
        if !back { try await Task.sleep(for: .milliseconds(50)) }
      }
      #expect(back)
      #expect(
        try await client.send(RedisCommand("GET", keysByNode[2][0]), deadline: Self.deadline()) == Self.bulk("again"))
    }
  }

  @Test("a client started before the cluster exists fails fast, then picks the cluster up")
  func startsBeforeTheCluster() async throws {
    let cluster = try await RedisClusterProcess.start(form: false)
    for node in cluster.nodes { node.stop() }
    try await Self.withClient(cluster.seedURLs) { client in
      let clock = ContinuousClock()
      let started = clock.now
      do {
        _ = try await client.send(RedisCommand("SET", "k", "v"), deadline: Self.deadline(2))
        Issue.record("expected unavailable with no cluster")
      } catch let error as RedisError {
        #expect(error.code == .unavailable)
      }
      #expect(clock.now - started < .seconds(3), "fails within the 2 s deadline + margin")
      #expect(!client.isConnected)

      // Servers up but no cluster formed (no slots): still nothing to route to.
      for node in cluster.nodes { try await node.restart() }
      try await Task.sleep(for: .milliseconds(300))
      #expect(client.slotMap == nil)
      await #expect(throws: RedisError.self) {
        try await client.send(RedisCommand("GET", "k"), deadline: Self.deadline(1))
      }

      try await cluster.form()
      #expect(try await Self.ready(client))
      #expect(try await client.send(RedisCommand("SET", "k", "v"), deadline: Self.deadline()) == .status("OK"))
      #expect(try await client.send(RedisCommand("GET", "k"), deadline: Self.deadline()) == Self.bulk("v"))
    }
  }

  @Test("a master that no longer serves slots has its pool retired")
  func retiresLeftNodes() async throws {
    // The drained node stays an empty master instead of turning itself into a replica and
    // syncing from its new master: either way it leaves CLUSTER SLOTS' masters, which is all
    // the client sees, and the test does not wait on a replication it is not about.
    let cluster = try await RedisClusterProcess.start(arguments: ["--cluster-allow-replica-migration", "no"])
    try await Self.withClient(cluster.seedURLs, configure: { $0.refreshInterval = .milliseconds(200) }) { client in
      #expect(try await Self.ready(client))
      let keys = Self.keys("leaving:", onNode: 2, count: 10)
      _ = try await client.pipeline(keys.map { RedisCommand("SET", $0, $0) }, deadline: Self.deadline())

      try await cluster.moveSlots(RedisClusterProcess.initialSlots(ofNode: 2, masters: 3), from: 2, to: 0)
      #expect(try await eventually { client.nodes == [Self.node(cluster, 0), Self.node(cluster, 1)] })
      #expect(client.slotMap?.masters.contains(Self.node(cluster, 2)) == false)
      // Retired means closed: node 2 ends up with one client, the probe asking.
      var clients = -1
      for _ in 0..<100 where clients != 1 {
        let info = try await cluster.send(RedisCommand("INFO", "clients"), toNode: 2).string ?? ""
        clients =
          info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("connected_clients:") }
          .flatMap { Int($0.dropFirst("connected_clients:".count)) } ?? -1
        if clients != 1 { try await Task.sleep(for: .milliseconds(50)) }
      }
      #expect(clients == 1, "connections to the retired node")
      let values = try await client.pipeline(keys.map { RedisCommand("GET", $0) }, deadline: Self.deadline())
      #expect(values == keys.map { Self.bulk($0) })
    }
  }

  @Test("cancelling run() closes every pool; commands then fail with unavailable")
  func shutdown() async throws {
    let cluster = try await RedisClusterProcess.start()
    let client = try await Self.withClient(cluster.seedURLs) { (client) async throws -> RedisClusterClient in
      #expect(try await Self.ready(client))
      return client
    }
    #expect(!client.isConnected)
    #expect(client.nodes.isEmpty)
    #expect(client.slotMap == nil)
    await #expect {
      try await client.send(RedisCommand("PING"), deadline: Self.deadline(1))
    } throws: { error in
      (error as? RedisError)?.code == .unavailable
    }
  }
}

extension RESPValue {
  /// True for an error reply starting with `prefix`.
  fileprivate func isError(prefix: String) -> Bool {
    if case .error(let message) = self { return message.hasPrefix(prefix) }
    return false
  }
}
