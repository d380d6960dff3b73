package import Logging
import ServiceLifecycle
import Synchronization

/// A Redis Cluster client: routes each command to the master serving its key's hash slot,
/// over one `RedisClient` pool per master, and follows `-MOVED` / `-ASK` redirects. `run()`
/// (a ServiceLifecycle `Service`) discovers the slot map from the seeds, keeps it fresh, and
/// runs the per-node pools as its child tasks.
///
/// Like `RedisClient` it never waits for the cluster: with no slot map yet, or no live
/// connection to the node a command needs, the command fails at once with `.unavailable`
/// while `run()` keeps retrying in the background — the server starts with the cluster
/// absent and picks it up when it appears.
package final class RedisClusterClient: Service, Sendable {
  /// How the client behaves.
  package struct Configuration: Sendable {
    /// Nodes to read the slot map from (any one that answers is enough; masters already
    /// known are asked first). The first seed's user, password and database are used for
    /// every node. Redis Cluster only has database 0 (Valkey 9 allows more).
    package var seeds: [RedisURL]
    /// Pooled connections per master; each carries many pipelined commands. Default 2.
    package var connectionsPerNode = 2
    /// How often the slot map is re-read when nothing suggests it changed. A `-MOVED` reply
    /// or a failing node triggers a refresh at once. Default 10 s.
    package var refreshInterval: Duration = .seconds(10)
    /// Bound on one connect + handshake attempt, and on one `CLUSTER SLOTS` query. Default 1 s.
    package var connectTimeout: Duration = .seconds(1)
    /// First retry delay of a failed discovery (and of a node pool's reconnect); doubles per
    /// failure up to `maximumBackoff`, each delay jittered to 50–100%. Default 50 ms.
    package var initialBackoff: Duration = .milliseconds(50)
    /// Default 2 s.
    package var maximumBackoff: Duration = .seconds(2)
    /// `-MOVED` / `-ASK` redirects followed per command before its last reply is returned
    /// as it is. Default 5 (a healthy cluster needs at most 2: ASK during a migration that
    /// ends, then MOVED).
    package var maximumRedirects = 5

    package init(seeds: [RedisURL]) {
      self.seeds = seeds
    }
  }

  /// One master's pool and the switch that stops it when the master leaves the map.
  private struct NodePool: Sendable {
    var client: RedisClient
    var retire: AsyncStream<Never>.Continuation
  }

  /// What the routing path reads and the topology loop writes.
  private struct Topology {
    /// Nil until the first discovery succeeds, and again after `run()` ends.
    var map: RedisClusterSlotMap?
    /// One pool per master of `map`, plus pools created for the next map while it is being
    /// published.
    var pools: [RedisClusterNode: NodePool] = [:]
  }

  package let configuration: Configuration
  private let logger: Logger
  private let topology = Mutex(Topology())
  private let refreshSignal = TopologyRefreshSignal()
  private let cursor = Atomic<Int>(0)
  /// Refresh requests come in bursts (every command to a dead node asks for one); one
  /// refresh per gap answers them all.
  private static let minimumRefreshGap: Duration = .milliseconds(100)

  package init(configuration: Configuration, logger: Logger) {
    self.configuration = configuration
    self.logger = logger
  }

  // MARK: - State for readiness and tests

  /// The slot map in use; nil before the first discovery.
  package var slotMap: RedisClusterSlotMap? {
    topology.withLock { $0.map }
  }

  /// The nodes this client keeps a pool for (the masters of its slot map).
  package var nodes: Set<RedisClusterNode> {
    topology.withLock { Set($0.pools.keys) }
  }

  /// True when the client has a slot map and at least one connection to some master.
  package var isConnected: Bool {
    let pools = topology.withLock { $0.map == nil ? [] : Array($0.pools.values) }
    return pools.contains { $0.client.isConnected }
  }

  // MARK: - Commands

  /// Sends one command to the master of its key's slot; an error reply is thrown as
  /// `.serverError` (including a `-MOVED`/`-ASK` still standing after `maximumRedirects`).
  package func send(_ command: RedisCommand, deadline: ContinuousClock.Instant) async throws(RedisError) -> RESPValue {
    let reply = try await pipeline([command], deadline: deadline)[0]
    if case .error(let message) = reply { throw RedisError(.serverError, message) }
    return reply
  }

  /// Sends commands grouped by the node serving their slot, one pipeline per node, the nodes
  /// concurrently; replies come back in the caller's order. A keyless command (PING, MULTI,
  /// EXEC, …) goes with the keyed command before it — or, at the start, with the first keyed
  /// command, so `MULTI; SET {t}a; SET {t}b; EXEC` stays on one node. Redirects are followed
  /// before the deadline; `-TRYAGAIN`, `-CLUSTERDOWN` and other error replies stay values.
  ///
  /// Throws when any node's group fails as a whole (node down, connection lost, deadline):
  /// the error names the node, and is the one of the group holding the earliest command.
  package func pipeline(_ commands: [RedisCommand], deadline: ContinuousClock.Instant) async throws(RedisError)
    -> [RESPValue]
  {
    guard !commands.isEmpty else { return [] }
    let targets = try route(commands)
    var pending = commands.indices.map { Pending(index: $0, node: targets[$0], asking: false) }
    var replies = [RESPValue](repeating: .null, count: commands.count)
    var redirects = 0
    while true {
      let answers = try await execute(pending, of: commands, deadline: deadline)
      var redirected: [Pending] = []
      for (entry, reply) in zip(pending, answers) {
        if redirects < configuration.maximumRedirects, case .error(let message) = reply,
          let redirect = RedisClusterRedirect(errorReply: message, replyingHost: entry.node.host)
        {
          if redirect.kind == .moved { learn(redirect) }
          redirected.append(Pending(index: entry.index, node: redirect.node, asking: redirect.kind == .ask))
        } else {
          replies[entry.index] = reply
        }
      }
      if redirected.isEmpty { return replies }
      redirects += 1
      guard ContinuousClock.now < deadline else {
        throw RedisError(.timeout, "deadline passed while following cluster redirects (\(redirected.count) command(s))")
      }
      pending = redirected
    }
  }

  /// A command still to send: its index in the caller's pipeline, the node to send it to,
  /// and whether an `-ASK` redirect put it there (then `ASKING` goes right before it).
  private struct Pending {
    var index: Int
    var node: RedisClusterNode
    var asking: Bool
  }

  /// The node for each command, from the current slot map.
  private func route(_ commands: [RedisCommand]) throws(RedisError) -> [RedisClusterNode] {
    let slots = commands.map { command in command.routingKey.map { RedisClusterSlot.slot(for: $0) } }
    let rotation = UInt(bitPattern: cursor.wrappingAdd(1, ordering: .relaxed).oldValue)
    return try topology.withLock { topology throws(RedisError) -> [RedisClusterNode] in
      guard let map = topology.map, !map.masters.isEmpty else {
        throw RedisError(.unavailable, "no Redis Cluster slot map yet (discovering from \(self.seedList))")
      }
      // An unserved slot goes to any master, which answers -CLUSTERDOWN (or -MOVED if our
      // map is the stale one): the caller gets Redis' own words.
      let anyMaster = map.masters[Int(rotation % UInt(map.masters.count))]
      var targets: [RedisClusterNode?] = slots.map { slot in slot.map { map.master(forSlot: $0) ?? anyMaster } }
      let firstKeyed = targets.first { $0 != nil }.flatMap { $0 } ?? anyMaster
      var previous = firstKeyed
      for index in targets.indices {
        if let target = targets[index] { previous = target } else { targets[index] = previous }
      }
      return targets.map { $0 ?? firstKeyed }
    }
  }

  /// Sends each node's share of `pending` as one pipeline, nodes concurrently; the answers
  /// line up with `pending`.
  private func execute(
    _ pending: [Pending],
    of commands: [RedisCommand],
    deadline: ContinuousClock.Instant
  ) async throws(RedisError) -> [RESPValue] {
    var nodes: [RedisClusterNode] = []
    var positions: [RedisClusterNode: [Int]] = [:]
    for (position, entry) in pending.enumerated() {
      if positions[entry.node] == nil { nodes.append(entry.node) }
      positions[entry.node, default: []].append(position)
    }
    // The common case — keys sharing a hash tag — needs no task group.
    if nodes.count == 1 {
      return try await send(pending.map { (commands[$0.index], $0.asking) }, to: nodes[0], deadline: deadline)
    }
    let outcomes = await withTaskGroup(of: (Int, Result<[RESPValue], RedisError>).self) { group in
      for (order, node) in nodes.enumerated() {
        let batch = positions[node, default: []].map { (commands[pending[$0].index], pending[$0].asking) }
        group.addTask {
          do throws(RedisError) {
            return (order, .success(try await self.send(batch, to: node, deadline: deadline)))
          } catch {
            return (order, .failure(error))
          }
        }
      }
      var outcomes = [Result<[RESPValue], RedisError>?](repeating: nil, count: nodes.count)
      for await (order, outcome) in group { outcomes[order] = outcome }
      return outcomes
    }
    // Nodes are in order of first appearance, so the first failure holds the earliest command.
    var answers = [RESPValue](repeating: .null, count: pending.count)
    for (order, node) in nodes.enumerated() {
      switch outcomes[order] {
      case .success(let replies):
        for (position, reply) in zip(positions[node, default: []], replies) { answers[position] = reply }
      case .failure(let error):
        throw error
      case nil:
        throw RedisError(.connectionClosed, "cluster node \(node): no outcome (task cancelled)")
      }
    }
    return answers
  }

  /// One node's batch as one pipeline, with `ASKING` before each command an `-ASK` sent here.
  private func send(
    _ batch: [(command: RedisCommand, asking: Bool)],
    to node: RedisClusterNode,
    deadline: ContinuousClock.Instant
  ) async throws(RedisError) -> [RESPValue] {
    var wire: [RedisCommand] = []
    var replyPositions: [Int] = []
    wire.reserveCapacity(batch.count)
    for (command, asking) in batch {
      if asking { wire.append(RedisCommand("ASKING")) }
      replyPositions.append(wire.count)
      wire.append(command)
    }
    let replies: [RESPValue]
    do throws(RedisError) {
      replies = try await pipeline(wire, on: node, deadline: deadline)
    } catch {
      // A node that fails may have failed over or left; the map says which.
      if error.code != .timeout { refreshSignal.request() }
      throw RedisError(error.code, "cluster node \(node): \(error.message)", cause: error.cause)
    }
    return replyPositions.map { replies[$0] }
  }

  /// Runs a pipeline on the node's pool. A node with no pool yet, or whose pool is still
  /// connecting while the node is not (yet) in the map — the target of a redirect during a
  /// topology change — gets a one-off connection instead, since the refresh that builds its
  /// pool is already under way. A master of the map whose pool is down fails fast.
  private func pipeline(
    _ commands: [RedisCommand],
    on node: RedisClusterNode,
    deadline: ContinuousClock.Instant
  ) async throws(RedisError) -> [RESPValue] {
    let (pool, isMaster) = topology.withLock { ($0.pools[node], $0.map?.masters.contains(node) == true) }
    if let pool, isMaster || pool.client.isConnected {
      return try await pool.client.pipeline(commands, deadline: deadline)
    }
    let connection = try await RedisConnection.connect(
      to: url(for: node), deadline: min(deadline, .now + configuration.connectTimeout))
    do throws(RedisError) {
      let replies = try await connection.pipeline(commands, deadline: deadline)
      await connection.close()
      return replies
    } catch {
      await connection.close()
      throw error
    }
  }

  /// Applies a `-MOVED` to the map at once, when its node already has a pool, so the next
  /// commands for the slot go straight there; the full refresh it triggers then corrects
  /// whatever else moved with it.
  private func learn(_ redirect: RedisClusterRedirect) {
    topology.withLock { topology in
      guard let map = topology.map, topology.pools[redirect.node] != nil,
        map.master(forSlot: redirect.slot) != redirect.node
      else { return }
      topology.map = map.reassigning(slot: redirect.slot, to: redirect.node)
    }
    refreshSignal.request()
  }

  // MARK: - Topology

  /// Discovers and refreshes the slot map and runs one pool per master until cancelled or
  /// shut down gracefully; then every pool closes and commands fail with `.unavailable`.
  package func run() async throws {
    if let database = configuration.seeds.first?.database, database != 0 {
      logger.warning(
        "redis cluster seed asks for database \(database); Redis Cluster only has database 0, so SELECT will fail")
    }
    await cancelWhenGracefulShutdown {
      await withDiscardingTaskGroup { group in
        await self.maintainTopology(in: &group)
        group.cancelAll()
      }
    }
    topology.withLock { $0 = Topology() }
  }

  /// The topology loop: refresh, then wait for the interval or a request (at least the
  /// minimum gap); after a failed or partial discovery, retry with jittered backoff.
  private func maintainTopology(in group: inout DiscardingTaskGroup) async {
    var failures = 0
    while !Task.isCancelled {
      refreshSignal.clear()
      let started = ContinuousClock.now
      let complete = await refresh(in: &group, failures: failures)
      if Task.isCancelled { return }
      if complete {
        failures = 0
        _ = await refreshSignal.wait(timeout: configuration.refreshInterval)
        let earliest = started + Self.minimumRefreshGap
        if ContinuousClock.now < earliest { try? await Task.sleep(until: earliest, clock: .continuous) }
      } else {
        // A missing or partial map usually means the cluster is starting or being
        // reconfigured: look again soon, not in refreshInterval.
        failures += 1
        try? await Task.sleep(for: backoff(afterFailures: failures))
      }
    }
  }

  /// Reads the slot map, starts pools for new masters (waiting, within the connect timeout,
  /// for them to connect so slots moved there are not routed to a pool still dialling),
  /// publishes the map, then retires pools of masters that left it. True when the map covers
  /// every slot.
  private func refresh(in group: inout DiscardingTaskGroup, failures: Int) async -> Bool {
    let map: RedisClusterSlotMap
    do throws(RedisError) {
      map = try await discover()
    } catch {
      // The first failure of a streak is worth a warning; the rest would flood the log.
      if failures == 0 {
        logger.warning("redis cluster slot map unavailable; retrying with backoff", metadata: ["error": "\(error)"])
      }
      return false
    }

    let added: [(RedisClusterNode, RedisClient, AsyncStream<Never>)] = topology.withLock { topology in
      var added: [(RedisClusterNode, RedisClient, AsyncStream<Never>)] = []
      for node in map.masters where topology.pools[node] == nil {
        let client = RedisClient(configuration: poolConfiguration(for: node), logger: logger)
        let (retired, retire) = AsyncStream<Never>.makeStream()
        topology.pools[node] = NodePool(client: client, retire: retire)
        added.append((node, client, retired))
      }
      return added
    }
    for (_, client, retired) in added {
      group.addTask {
        // The pool runs until the task is cancelled (run() ends) or its node is retired.
        await withTaskGroup(of: Void.self) { pool in
          pool.addTask { try? await client.run() }
          pool.addTask { for await _ in retired {} }
          _ = await pool.next()
          pool.cancelAll()
        }
      }
    }
    if !added.isEmpty {
      let deadline = ContinuousClock.now + configuration.connectTimeout
      while ContinuousClock.now < deadline, !Task.isCancelled, added.contains(where: { !$0.1.isConnected }) {
        try? await Task.sleep(for: .milliseconds(5))
      }
    }

    let (previous, retired): (RedisClusterSlotMap?, [(RedisClusterNode, NodePool)]) = topology.withLock { topology in
      let previous = topology.map
      topology.map = map
      let masters = Set(map.masters)
      let retired = topology.pools.filter { !masters.contains($0.key) }
      for node in retired.keys { topology.pools[node] = nil }
      return (previous, retired.map { ($0.key, $0.value) })
    }
    for (_, pool) in retired { pool.retire.finish() }
    if previous != map {
      logger.info(
        "redis cluster slot map updated",
        metadata: [
          "masters": "\(map.masters.count)", "assigned-slots": "\(map.assignedSlots)",
          "added": "\(added.map { "\($0.0)" })", "retired": "\(retired.map { "\($0.0)" })",
        ])
    }
    return map.assignedSlots == RedisClusterSlot.count
  }

  /// Asks `CLUSTER SLOTS` of the known masters (connected ones, in random order), then of
  /// the seeds, until one describes every slot; otherwise the fullest answer wins, and no
  /// slots at all is a failure.
  private func discover() async throws(RedisError) -> RedisClusterSlotMap {
    let known = topology.withLock { $0.pools.map { ($0.key, $0.value.client) } }.shuffled()
    var best: RedisClusterSlotMap?
    var lastError: RedisError?
    func consider(_ map: RedisClusterSlotMap) -> Bool {
      if map.assignedSlots > best?.assignedSlots ?? 0 { best = map }
      return map.assignedSlots == RedisClusterSlot.count
    }
    let query = RedisCommand("CLUSTER", "SLOTS")
    for (node, client) in known where client.isConnected {
      do throws(RedisError) {
        let reply = try await client.send(query, deadline: .now + configuration.connectTimeout)
        if consider(try RedisClusterSlotMap(clusterSlots: reply, defaultHost: node.host)) { return best! }
      } catch {
        lastError = error
      }
    }
    for seed in configuration.seeds {
      if Task.isCancelled { break }
      do throws(RedisError) {
        let connection = try await RedisConnection.connect(to: seed, deadline: .now + configuration.connectTimeout)
        let reply: RESPValue
        do throws(RedisError) {
          reply = try await connection.send(query, deadline: .now + configuration.connectTimeout)
          await connection.close()
        } catch {
          await connection.close()
          throw error
        }
        let host: String
        switch seed.endpoint {
        case .tcp(let seedHost, _): host = seedHost
        case .unix: host = "localhost"
        }
        if consider(try RedisClusterSlotMap(clusterSlots: reply, defaultHost: host)) { return best! }
      } catch {
        lastError = error
      }
    }
    if let best { return best }
    if configuration.seeds.isEmpty { throw RedisError(.invalidArgument, "no Redis Cluster seed URLs configured") }
    throw lastError.map { RedisError(.unavailable, "no Redis Cluster node answered CLUSTER SLOTS", cause: $0) }
      ?? RedisError(.unavailable, "the Redis Cluster has no slots assigned yet")
  }

  /// A master's URL: its address, with the first seed's credentials and database.
  private func url(for node: RedisClusterNode) -> RedisURL {
    let seed = configuration.seeds.first
    return RedisURL(
      endpoint: .tcp(host: node.host, port: node.port), user: seed?.user, password: seed?.password,
      database: seed?.database ?? 0)
  }

  private func poolConfiguration(for node: RedisClusterNode) -> RedisClient.Configuration {
    var pool = RedisClient.Configuration(url: url(for: node))
    pool.connections = configuration.connectionsPerNode
    pool.connectTimeout = configuration.connectTimeout
    pool.initialBackoff = configuration.initialBackoff
    pool.maximumBackoff = configuration.maximumBackoff
    return pool
  }

  private var seedList: String {
    configuration.seeds.map(\.description).joined(separator: ", ")
  }

  private func backoff(afterFailures failures: Int) -> Duration {
    ReconnectBackoff(
      initial: configuration.initialBackoff, maximum: min(configuration.maximumBackoff, configuration.refreshInterval)
    ).delay(afterFailures: failures)
  }
}

extension RedisClusterClient: RedisCommandRunner {
  package var keysMustShareASlot: Bool { true }
}
