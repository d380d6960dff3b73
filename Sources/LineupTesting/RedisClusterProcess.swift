import Foundation
package import LineupRedis

/// A real Redis Cluster for one test: N masters (no replicas), each a `RedisServerProcess`
/// with cluster mode on, slots split evenly, joined with `CLUSTER MEET`, and ready only once
/// every node reports `cluster_state:ok` and all agree on the slot map. Its servers are torn
/// down with it. Also moves slots between nodes the way `redis-cli --cluster reshard` does,
/// fully or stopping half way so a test can watch `-ASK` redirects.
package final class RedisClusterProcess: Sendable {
  /// The masters, in slot order: node 0 serves the lowest slots.
  package let nodes: [RedisServerProcess]
  /// Each node's cluster bus port (given explicitly with `--cluster-port`, see `start`).
  package let busPorts: [Int]
  /// Each node's cluster node id (`CLUSTER MYID`).
  package let nodeIDs: [String]

  /// The nodes' URLs, to seed a cluster client with.
  package var seedURLs: [RedisURL] { nodes.map(\.url) }

  /// The slots each node was given at start: an even split of 0…16383.
  package static func initialSlots(ofNode index: Int, masters: Int) -> ClosedRange<Int> {
    (index * RedisClusterSlot.count / masters)...((index + 1) * RedisClusterSlot.count / masters - 1)
  }

  private init(nodes: [RedisServerProcess], busPorts: [Int], nodeIDs: [String]) {
    self.nodes = nodes
    self.busPorts = busPorts
    self.nodeIDs = nodeIDs
  }

  /// Starts `masters` cluster-mode servers on free loopback ports and, when `form` is true
  /// (the default), forms the cluster and waits until it is healthy. `arguments` go to every
  /// server (e.g. `["--cluster-require-full-coverage", "no"]`).
  ///
  /// The cluster bus port is named with `--cluster-port` (Redis 7.0+) instead of relying on
  /// the implicit port+10000: a free port from `FreePort` may be above 55535, where +10000 is
  /// not a port at all, and asking the kernel for a second free port needs no retry loop.
  ///
  /// A fresh cluster that has not agreed within 20 s is killed and started again on new
  /// ports (three tries): in full serial runs a fresh cluster's nodes now and then kept
  /// disagreeing on the slot map for over a minute, never when its suite ran alone. The
  /// error of the last try says what each node saw.
  package static func start(masters: Int = 3, arguments: [String] = [], form: Bool = true) async throws
    -> RedisClusterProcess
  {
    guard form else { return try await startNodes(masters: masters, arguments: arguments) }
    var lastError: (any Error)?
    for _ in 0..<3 {
      let cluster = try await startNodes(masters: masters, arguments: arguments)
      do {
        try await cluster.form(healthyWithin: .seconds(20))
        return cluster
      } catch {
        lastError = error
        for node in cluster.nodes { node.kill() }
      }
    }
    throw lastError ?? TestingError("Redis Cluster did not form")
  }

  private static func startNodes(masters: Int, arguments: [String]) async throws -> RedisClusterProcess {
    precondition(masters >= 1, "a cluster needs at least one master")
    var nodes: [RedisServerProcess] = []
    var busPorts: [Int] = []
    for _ in 0..<masters {
      let (node, busPort) = try await startNode(arguments: arguments, avoiding: nodes.map(\.port) + busPorts)
      nodes.append(node)
      busPorts.append(busPort)
    }
    var nodeIDs: [String] = []
    for node in nodes {
      guard let id = try await command(RedisCommand("CLUSTER", "MYID"), on: node).string, !id.isEmpty else {
        throw TestingError("CLUSTER MYID gave no id on port \(node.port)")
      }
      nodeIDs.append(id)
    }
    return RedisClusterProcess(nodes: nodes, busPorts: busPorts, nodeIDs: nodeIDs)
  }

  /// Assigns the slots evenly (`CLUSTER ADDSLOTSRANGE`), introduces every node to node 0
  /// (`CLUSTER MEET`), and waits until the cluster is healthy. For clusters started with
  /// `form: false`.
  package func form(healthyWithin timeout: Duration = .seconds(60)) async throws {
    for (index, node) in nodes.enumerated() {
      let slots = Self.initialSlots(ofNode: index, masters: nodes.count)
      try await Self.expectOK(
        RedisCommand("CLUSTER", "ADDSLOTSRANGE", String(slots.lowerBound), String(slots.upperBound)), on: node)
      // Distinct config epochs up front, as `redis-cli --cluster create` sets them: left at
      // 0, the nodes settle their epoch collision by gossip after MEET, and until they have,
      // equal epochs make a slot claim not win. A restarted node keeps its epoch (in
      // nodes.conf), so only a fresh one is set.
      let epoch = try await Self.command(RedisCommand("CLUSTER", "INFO"), on: node).string
        .map(Self.fields(ofInfo:))?["cluster_my_epoch"]
      if epoch == "0" {
        try await Self.expectOK(RedisCommand("CLUSTER", "SET-CONFIG-EPOCH", String(index + 1)), on: node)
      }
    }
    for index in nodes.indices.dropFirst() {
      try await Self.expectOK(
        RedisCommand("CLUSTER", "MEET", "127.0.0.1", String(nodes[index].port), String(busPorts[index])), on: nodes[0])
    }
    try await waitUntilHealthy(timeout: timeout)
  }

  /// Waits until every node says `cluster_state:ok`, knows every other node, and all nodes
  /// describe the same slot map.
  // 60 s: gossip after a slot move took 33 s once in a full serial run on a loaded 2-core
  // machine (alone it converges in a few seconds); this bounds a hang, it is not a target.
  package func waitUntilHealthy(timeout: Duration = .seconds(60)) async throws {
    let deadline = ContinuousClock.now + timeout
    var last = ""
    while ContinuousClock.now < deadline {
      do {
        if let problem = try await healthProblem() { last = problem } else { return }
      } catch {
        last = "\(error)"
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw TestingError("Redis Cluster did not become healthy within \(timeout): \(last)")
  }

  /// The first reason the cluster is not healthy yet, nil when it is.
  private func healthProblem() async throws -> String? {
    var maps: [[String]] = []
    for node in nodes {
      let info = Self.fields(ofInfo: try await send(RedisCommand("CLUSTER", "INFO"), toNodeOn: node).string ?? "")
      guard info["cluster_state"] == "ok" else {
        // Enough to tell why from the test log alone: the node's view and its own words.
        let view = try await send(RedisCommand("CLUSTER", "NODES"), toNodeOn: node).string ?? ""
        let log = (try? String(contentsOf: node.directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
        return """
          port \(node.port): cluster_state is \(info["cluster_state"] ?? "missing"); its view:
          \(view)its log (tail):
          \(log.split(whereSeparator: \.isNewline).suffix(15).joined(separator: "\n"))
          """
      }
      guard info["cluster_known_nodes"] == String(nodes.count) else {
        return "port \(node.port): does not know all \(nodes.count) nodes yet"
      }
      maps.append(try await slotMapDescription(on: node))
    }
    guard Set(maps).count == 1 else {
      // The views themselves, so a failure that persists can be told from slow gossip.
      let views = zip(nodes, maps).map { "port \($0.port): \($1.joined(separator: ", "))" }.joined(separator: "\n")
      return "nodes disagree on the slot map:\n\(views)"
    }
    return nil
  }

  /// `CLUSTER INFO` text as name → value. Split on Character newlines: Swift reads "\r\n" as
  /// one Character, so matching "…\r" inside the text would never succeed.
  private static func fields(ofInfo text: String) -> [String: String] {
    var fields: [String: String] = [:]
    for line in text.split(whereSeparator: \.isNewline) {
      let parts = line.split(separator: ":", maxSplits: 1)
      if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
    }
    return fields
  }

  /// A node's view of the slot map as comparable lines "start-end port"; hosts are left
  /// out, since a node may not know its own address yet.
  private func slotMapDescription(on node: RedisServerProcess) async throws -> [String] {
    let reply = try await send(RedisCommand("CLUSTER", "SLOTS"), toNodeOn: node)
    return (reply.array ?? []).compactMap { entry -> String? in
      guard let fields = entry.array, fields.count >= 3, let start = fields[0].integer, let end = fields[1].integer,
        let master = fields[2].array, master.count >= 2, let port = master[1].integer
      else { return nil }
      return "\(start)-\(end) \(port)"
    }.sorted()
  }

  // MARK: - Talking to one node

  /// Sends one command to node `index` directly (no cluster routing, no redirects); error
  /// replies are returned as values.
  package func send(_ command: RedisCommand, toNode index: Int) async throws -> RESPValue {
    try await send(command, toNodeOn: nodes[index])
  }

  /// The index of the node that serves `slot` according to node 0.
  package func nodeIndex(servingSlot slot: Int) async throws -> Int {
    let reply = try await send(RedisCommand("CLUSTER", "SLOTS"), toNode: 0)
    for entry in reply.array ?? [] {
      guard let fields = entry.array, fields.count >= 3, let start = fields[0].integer, let end = fields[1].integer,
        (Int(start)...Int(end)).contains(slot), let port = fields[2].array?[1].integer,
        let index = nodes.firstIndex(where: { $0.port == Int(port) })
      else { continue }
      return index
    }
    throw TestingError("no node serves slot \(slot)")
  }

  private func send(_ command: RedisCommand, toNodeOn node: RedisServerProcess) async throws -> RESPValue {
    try await Self.command(command, on: node)
  }

  private static func command(_ command: RedisCommand, on node: RedisServerProcess) async throws -> RESPValue {
    try await pipeline([command], on: node)[0]
  }

  /// One pipeline over a fresh connection: test setup is not the hot path, and a fresh
  /// connection never carries a half-read reply from an earlier failure.
  private static func pipeline(_ commands: [RedisCommand], on node: RedisServerProcess) async throws -> [RESPValue] {
    let connection = try await RedisConnection.connect(to: node.url, deadline: .now + .seconds(5))
    do {
      let replies = try await connection.pipeline(commands, deadline: .now + .seconds(30))
      await connection.close()
      return replies
    } catch {
      await connection.close()
      throw error
    }
  }

  private static func expectOK(_ command: RedisCommand, on node: RedisServerProcess) async throws {
    let reply = try await self.command(command, on: node)
    guard reply == .status("OK") else {
      throw TestingError("\(command) on port \(node.port) answered \(reply)")
    }
  }

  // MARK: - Resharding

  /// Moves `slots` with their keys from node `source` to node `target`, as `redis-cli
  /// --cluster reshard` does: mark them IMPORTING on the target and MIGRATING on the
  /// source, `MIGRATE` their keys, then `CLUSTER SETSLOT … NODE` on the target, the source
  /// and every other node. Returns once every node agrees on the new owner.
  package func moveSlots(_ slots: ClosedRange<Int>, from source: Int, to target: Int) async throws {
    try await beginMove(slots, from: source, to: target)
    try await migrateKeys(slots, from: source, to: target, limit: nil)
    try await finishMove(slots, from: source, to: target)
  }

  /// Moves one slot with its keys (see `moveSlots`).
  package func moveSlot(_ slot: Int, from source: Int, to target: Int) async throws {
    try await moveSlots(slot...slot, from: source, to: target)
  }

  /// Starts moving `slot` from `source` to `target` and stops half way: the slot is
  /// MIGRATING on the source and IMPORTING on the target, and only the first `keys` of its
  /// keys (in `CLUSTER GETKEYSINSLOT` order) have moved. Returns the keys that moved.
  /// Source and target then answer `-ASK` / accept `ASKING` for the slot until
  /// `finishSlotMove` completes it.
  @discardableResult
  package func beginSlotMove(_ slot: Int, from source: Int, to target: Int, movingKeys keys: Int) async throws
    -> [[UInt8]]
  {
    try await beginMove(slot...slot, from: source, to: target)
    return try await migrateKeys(slot...slot, from: source, to: target, limit: keys)
  }

  /// Completes a move started with `beginSlotMove`: migrates the remaining keys and assigns
  /// the slot to the target on every node.
  package func finishSlotMove(_ slot: Int, from source: Int, to target: Int) async throws {
    try await migrateKeys(slot...slot, from: source, to: target, limit: nil)
    try await finishMove(slot...slot, from: source, to: target)
  }

  private func beginMove(_ slots: ClosedRange<Int>, from source: Int, to target: Int) async throws {
    precondition(source != target && nodes.indices.contains(source) && nodes.indices.contains(target))
    // IMPORTING first, as redis-cli does: a key written to the source meanwhile is then
    // already accepted by the target after an ASK.
    try await expectAllOK(
      slots.map { RedisCommand("CLUSTER", "SETSLOT", String($0), "IMPORTING", nodeIDs[source]) }, on: target)
    try await expectAllOK(
      slots.map { RedisCommand("CLUSTER", "SETSLOT", String($0), "MIGRATING", nodeIDs[target]) }, on: source)
  }

  /// Migrates up to `limit` keys of each slot (all when nil); returns the keys moved.
  @discardableResult
  private func migrateKeys(_ slots: ClosedRange<Int>, from source: Int, to target: Int, limit: Int?) async throws
    -> [[UInt8]]
  {
    var moved: [[UInt8]] = []
    // One pipelined count first, so moving thousands of mostly empty slots stays quick.
    let counts = try await Self.pipeline(
      slots.map { RedisCommand("CLUSTER", "COUNTKEYSINSLOT", String($0)) }, on: nodes[source])
    for (slot, count) in zip(slots, counts) where (count.integer ?? 1) > 0 {
      var remaining = limit ?? Int.max
      while remaining > 0 {
        let batch = min(remaining, 100)
        let reply = try await send(
          RedisCommand("CLUSTER", "GETKEYSINSLOT", String(slot), String(batch)), toNode: source)
        let keys = (reply.array ?? []).compactMap { value -> [UInt8]? in
          if case .bulk(let bytes) = value { return bytes }
          return nil
        }
        if keys.isEmpty { break }
        let migrate = RedisCommand(
          bytes: ["MIGRATE", "127.0.0.1", String(nodes[target].port), "", "0", "5000", "KEYS"].map { Array($0.utf8) }
            + keys)
        let answer = try await send(migrate, toNode: source)
        guard answer == .status("OK") else { throw TestingError("MIGRATE of slot \(slot) answered \(answer)") }
        moved += keys
        remaining -= keys.count
      }
    }
    return moved
  }

  private func finishMove(_ slots: ClosedRange<Int>, from source: Int, to target: Int) async throws {
    let assign = slots.map { RedisCommand("CLUSTER", "SETSLOT", String($0), "NODE", nodeIDs[target]) }
    // Target first (it bumps its config epoch, so its claim wins in gossip), then the source
    // (which stops answering -ASK), then everyone else — redis-cli's order.
    let order = [target, source] + nodes.indices.filter { $0 != target && $0 != source }
    for index in order {
      // A master that just lost its last slot turns itself into a replica of the node that
      // took them (cluster-allow-replica-migration, on by default) and refuses SETSLOT; it
      // follows its new master's map, so redis-cli ignores this and so do we.
      try await expectAllOK(
        assign, on: index, tolerating: index == target ? nil : "ERR Please use SETSLOT only with masters")
    }
    do {
      try await waitUntilHealthy(timeout: .seconds(15))
    } catch {
      // Seen in a full serial run: the target took the slots, then a gossip packet the
      // source sent before its own SETSLOT gave them back to the source in the target's
      // view. The source no longer claims them, so no later gossip corrects the target:
      // the views disagree for good. As `redis-cli --cluster fix` would, claim them again
      // on the target with an epoch above everyone's and re-assign them on every node.
      try await expectAllOK(assign, on: target)
      _ = try await send(RedisCommand("CLUSTER", "BUMPEPOCH"), toNode: target)
      for index in order where index != target {
        try await expectAllOK(assign, on: index, tolerating: "ERR Please use SETSLOT only with masters")
      }
      try await waitUntilHealthy()
    }
  }

  private func expectAllOK(_ commands: [RedisCommand], on index: Int, tolerating tolerated: String? = nil) async throws
  {
    let replies = try await Self.pipeline(commands, on: nodes[index])
    for (command, reply) in zip(commands, replies) where reply != .status("OK") {
      if let tolerated, case .error(let message) = reply, message.hasPrefix(tolerated) { continue }
      throw TestingError("\(command) on node \(index) answered \(reply)")
    }
  }

  // MARK: - Starting nodes

  private static func startNode(arguments: [String], avoiding taken: [Int]) async throws -> (RedisServerProcess, Int) {
    var lastError: (any Error)?
    // A free port can be taken between picking and binding (by another test's server); the
    // server then exits at start and a fresh pair of ports is tried.
    for _ in 0..<5 {
      var busPort = try FreePort.loopback()
      while taken.contains(busPort) { busPort = try FreePort.loopback() }
      do {
        let node = try await RedisServerProcess.start(
          arguments: [
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-port", String(busPort),
          ] + arguments)
        if node.port == busPort || taken.contains(node.port) {
          node.kill()
          continue
        }
        return (node, busPort)
      } catch {
        lastError = error
      }
    }
    throw TestingError("could not start a cluster node: \(lastError.map { "\($0)" } ?? "port clashes")")
  }
}
