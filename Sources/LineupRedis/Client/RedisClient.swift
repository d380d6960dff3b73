package import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A small pool of pipelined connections to one Redis server, kept up in the background by
/// `run()` (a ServiceLifecycle `Service`): a connection that drops is replaced with jittered
/// exponential backoff, and the server is picked up whenever it (re)appears.
///
/// Calls never wait for a reconnect: with no live connection they fail at once with
/// `.unavailable`, so a caller on the request path can answer from its fallback within budget.
package final class RedisClient: Service, Sendable {
  /// How the pool behaves.
  package struct Configuration: Sendable {
    package var url: RedisURL
    /// Connections kept open; each carries many pipelined commands. Default 2.
    package var connections = 2
    /// Bound on one connect + handshake attempt. Default 1 s.
    package var connectTimeout: Duration = .seconds(1)
    /// First reconnect delay; doubles per failed attempt up to `maximumBackoff`, and each
    /// delay is jittered to 50–100% so replicas do not reconnect in lockstep. Default 50 ms.
    package var initialBackoff: Duration = .milliseconds(50)
    /// Default 2 s.
    package var maximumBackoff: Duration = .seconds(2)

    package init(url: RedisURL) {
      self.url = url
    }
  }

  package let configuration: Configuration
  private let logger: Logger
  /// One entry per pooled connection; nil while that slot is (re)connecting.
  private let slots: Mutex<[RedisConnection?]>
  private let slotCount: Int
  private let cursor = Atomic<Int>(0)

  package init(configuration: Configuration, logger: Logger) {
    self.configuration = configuration
    self.logger = logger
    self.slotCount = max(1, configuration.connections)
    self.slots = Mutex(Array(repeating: nil, count: slotCount))
  }

  /// How many pooled connections are up right now.
  package var liveConnections: Int {
    slots.withLock { $0.reduce(0) { count, slot in count + (slot?.isActive == true ? 1 : 0) } }
  }

  /// Sends one command on a live connection; an error reply is thrown as `.serverError`.
  package func send(_ command: RedisCommand, deadline: ContinuousClock.Instant) async throws(RedisError) -> RESPValue {
    try await connection().send(command, deadline: deadline)
  }

  /// Sends commands as one pipeline on one live connection (one round trip).
  package func pipeline(_ commands: [RedisCommand], deadline: ContinuousClock.Instant) async throws(RedisError) -> [RESPValue] {
    try await connection().pipeline(commands, deadline: deadline)
  }

  /// Keeps every slot connected until cancelled or shut down gracefully.
  package func run() async throws {
    await cancelWhenGracefulShutdown {
      await withDiscardingTaskGroup { group in
        for index in 0..<self.slotCount {
          group.addTask { await self.maintain(slot: index) }
        }
      }
    }
    let open = slots.withLock { slots in
      defer { slots = Array(repeating: nil, count: slots.count) }
      return slots.compactMap { $0 }
    }
    for connection in open { await connection.close() }
  }

  /// A live connection, round robin; `.unavailable` at once when none is up.
  private func connection() throws(RedisError) -> RedisConnection {
    let start = UInt(bitPattern: cursor.wrappingAdd(1, ordering: .relaxed).oldValue)
    let live: RedisConnection? = slots.withLock { slots in
      for offset in 0..<UInt(slots.count) {
        if let connection = slots[Int((start &+ offset) % UInt(slots.count))], connection.isActive {
          return connection
        }
      }
      return nil
    }
    if let live { return live }
    throw RedisError(.unavailable, "no connection to \(configuration.url) is up (reconnecting)")
  }

  /// Connects one slot, waits for its connection to drop, reconnects with backoff; returns
  /// when the task is cancelled.
  private func maintain(slot index: Int) async {
    var failures = 0
    while !Task.isCancelled {
      do {
        let connection = try await RedisConnection.connect(
          to: configuration.url, deadline: .now + configuration.connectTimeout)
        slots.withLock { $0[index] = connection }
        if failures > 0 || index == 0 {
          logger.info("redis connected", metadata: ["url": "\(configuration.url)", "slot": "\(index)"])
        }
        failures = 0
        // Waiting on the close future does not observe cancellation, so cancellation closes
        // the connection, which completes the future.
        await withTaskCancellationHandler {
          try? await connection.closeFuture.get()
        } onCancel: {
          connection.closeNow()
        }
        slots.withLock { if $0[index] === connection { $0[index] = nil } }
        if Task.isCancelled { return }
        logger.warning("redis connection lost; reconnecting", metadata: ["url": "\(configuration.url)", "slot": "\(index)"])
      } catch {
        failures += 1
        // The first failure of a streak is worth a warning; the rest would flood the log.
        if failures == 1 {
          logger.warning("redis unreachable; retrying with backoff", metadata: ["url": "\(configuration.url)", "error": "\(error)"])
        }
      }
      do {
        try await Task.sleep(
          for: ReconnectBackoff(initial: configuration.initialBackoff, maximum: configuration.maximumBackoff).delay(afterFailures: failures))
      } catch {
        return
      }
    }
  }
}
