import Logging
package import NIOCore
import NIOPosix

/// One connection to one Redis server: many commands in flight (pipelining), replies matched
/// first-in first-out, a deadline per call. Safe to share between tasks: every pipeline is
/// handed to the channel's handler on its event loop, which writes it and queues its caller in
/// one step, so the order of writes is the order of replies.
///
/// A caller on Swift's global executor pays two thread hand-offs per call (to the event loop
/// and back); one already on the connection's event loop (SwiftNIO installed as the global
/// executor, or a NIO handler) pays none. See docs/benchmarks.md.
package final class RedisConnection: Sendable {
  private let channel: any Channel
  /// The channel's RESP handler, which the event loop owns: pipelines are handed to it there.
  private let handler: NIOLoopBound<RESPChannelHandler>
  /// Where it is connected (password redacted in `description`).
  package let url: RedisURL

  private init(channel: any Channel, handler: NIOLoopBound<RESPChannelHandler>, url: RedisURL) {
    self.channel = channel
    self.handler = handler
    self.url = url
  }

  /// False once the connection closed (server gone, protocol error, `close()`).
  package var isActive: Bool { channel.isActive }

  /// A future that completes when the connection closes, for whoever keeps a pool of them.
  package var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

  /// Connects and runs the handshake the URL asks for (AUTH, SELECT), all before `deadline`.
  ///
  /// - Parameter onPush: makes this a subscriber connection: once a SUBSCRIBE is sent on it,
  ///   every published message is handed to `onPush` (on the event loop; keep it short)
  ///   rather than taken for a reply. `RedisSubscriber` is the intended user.
  package static func connect(
    to url: RedisURL,
    deadline: ContinuousClock.Instant,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    onPush: (@Sendable (RESPValue) -> Void)? = nil
  ) async throws(RedisError) -> RedisConnection {
    let timeout = TimeAmount(deadline - .now)
    guard timeout > .zero else { throw RedisError(.timeout, "no time left to connect to \(url)") }
    let bootstrap = ClientBootstrap(group: eventLoopGroup)
      .connectTimeout(timeout)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(RESPChannelHandler(onPush: onPush))
        }
      }
    let channel: any Channel
    do {
      switch url.endpoint {
      case .tcp(let host, let port): channel = try await bootstrap.connect(host: host, port: port).get()
      case .unix(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
      }
    } catch {
      throw RedisError(.connectionFailed, "cannot connect to \(url)", cause: error)
    }
    let handler: NIOLoopBound<RESPChannelHandler>
    do {
      handler = try await channel.eventLoop.submit {
        NIOLoopBound(
          try channel.pipeline.syncOperations.handler(type: RESPChannelHandler.self), eventLoop: channel.eventLoop)
      }.get()
    } catch {
      channel.close(promise: nil)
      throw RedisError(.connectionFailed, "connection to \(url) closed before it was ready", cause: error)
    }
    let connection = RedisConnection(channel: channel, handler: handler, url: url)
    do {
      try await connection.handshake(deadline: deadline)
    } catch {
      await connection.close()
      throw RedisError(.connectionFailed, "handshake with \(url) failed", cause: error)
    }
    return connection
  }

  /// Sends one command; an error reply (`-ERR …`) is thrown as `.serverError`.
  package func send(_ command: RedisCommand, deadline: ContinuousClock.Instant) async throws(RedisError) -> RESPValue {
    let reply = try await pipeline([command], deadline: deadline)[0]
    if case .error(let message) = reply { throw RedisError(.serverError, message) }
    return reply
  }

  /// Sends commands in one write and waits for all replies; error replies stay values so
  /// the caller sees which command failed. Throws when the connection fails or the
  /// deadline passes first (a deadline already past sends nothing).
  package func pipeline(_ commands: [RedisCommand], deadline: ContinuousClock.Instant) async throws(RedisError)
    -> [RESPValue]
  {
    guard !commands.isEmpty else { return [] }
    let remaining = deadline - .now
    guard remaining > .zero else {
      throw RedisError(.timeout, "no time left to send \(commands.count) command(s)")
    }
    // Each command is RESP already: one buffer for the socket write, sized up front so it is
    // allocated once.
    let capacity = commands.reduce(0) { $0 + $1.resp.count }
    var buffer = channel.allocator.buffer(capacity: capacity)
    for command in commands {
      try RESPCommandFormatter.format(command, into: &buffer)
    }
    let bytes = buffer
    let loopDeadline = NIODeadline.now() + TimeAmount(remaining)
    let handler = self.handler
    do {
      return try await withUnsafeThrowingContinuation { (waiter: RESPChannelHandler.Waiter) in
        // The handler lives on the event loop; a caller already there (a NIO handler) skips
        // the hop. A loop that has shut down drops the task (NIO logs it); Lineup's loops are
        // the process-wide singleton, which never shuts down.
        if handler.eventLoop.inEventLoop {
          handler.value.enqueue(bytes, count: commands.count, deadline: loopDeadline, waiter: waiter)
        } else {
          handler.eventLoop.execute {
            handler.value.enqueue(bytes, count: commands.count, deadline: loopDeadline, waiter: waiter)
          }
        }
      }
    } catch {
      throw error as? RedisError ?? RedisError(.connectionClosed, "command failed", cause: error)
    }
  }

  /// Closes the connection; pending commands fail with `.connectionClosed`.
  package func close() async {
    try? await channel.close()
  }

  /// Starts closing without waiting (for cancellation handlers, which cannot await).
  package func closeNow() {
    channel.close(promise: nil)
  }

  private func handshake(deadline: ContinuousClock.Instant) async throws(RedisError) {
    var commands: [RedisCommand] = []
    if let password = url.password {
      commands.append(url.user.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
    }
    if url.database != 0 { commands.append(RedisCommand("SELECT", String(url.database))) }
    for (command, reply) in zip(commands, try await pipeline(commands, deadline: deadline)) {
      if case .error(let message) = reply {
        throw RedisError(.serverError, "\(command) refused: \(message)")
      }
    }
  }
}

extension TimeAmount {
  /// A Swift Duration as a NIO TimeAmount (nanosecond precision), saturating rather than
  /// trapping for a deadline centuries away.
  init(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    guard !overflow else {
      self = .nanoseconds(seconds < 0 ? .min : .max)
      return
    }
    let (total, overflowAdding) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
    self = overflowAdding ? .nanoseconds(seconds < 0 ? .min : .max) : .nanoseconds(total)
  }
}
