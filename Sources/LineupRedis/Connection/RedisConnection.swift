import Logging
package import NIOCore
import NIOPosix

/// One connection to one Redis server: many commands in flight (pipelining), replies matched
/// first-in first-out, a deadline per call. Safe to share between tasks: writes go through
/// the channel, which orders them on its event loop.
package final class RedisConnection: Sendable {
  private let channel: any Channel
  /// Where it is connected (password redacted in `description`).
  package let url: RedisURL

  private init(channel: any Channel, url: RedisURL) {
    self.channel = channel
    self.url = url
  }

  /// False once the connection closed (server gone, protocol error, `close()`).
  package var isActive: Bool { channel.isActive }

  /// A future that completes when the connection closes, for whoever keeps a pool of them.
  package var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

  /// Connects and runs the handshake the URL asks for (AUTH, SELECT), all before `deadline`.
  package static func connect(
    to url: RedisURL,
    deadline: ContinuousClock.Instant,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
  ) async throws(RedisError) -> RedisConnection {
    let timeout = TimeAmount(deadline - .now)
    guard timeout > .zero else { throw RedisError(.timeout, "no time left to connect to \(url)") }
    let bootstrap = ClientBootstrap(group: eventLoopGroup)
      .connectTimeout(timeout)
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(RESPChannelHandler())
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
    let connection = RedisConnection(channel: channel, url: url)
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
  /// deadline passes first.
  package func pipeline(_ commands: [RedisCommand], deadline: ContinuousClock.Instant) async throws(RedisError) -> [RESPValue] {
    guard !commands.isEmpty else { return [] }
    var bytes = channel.allocator.buffer(capacity: 64 * commands.count)
    for command in commands {
      bytes.writeBytes(try RESPCommandFormatter.format(command))
    }
    let eventLoop = channel.eventLoop
    let promises = commands.map { _ in eventLoop.makePromise(of: RESPValue.self) }
    let all = EventLoopFuture.whenAllSucceed(promises.map(\.futureResult), on: eventLoop)

    // The deadline fails whatever is still pending; late replies then land on completed
    // promises, which NIO ignores, so FIFO matching stays intact.
    let remaining = TimeAmount(deadline - .now)
    let timeout = eventLoop.scheduleTask(in: max(remaining, .zero)) {
      let error = RedisError(.timeout, "no reply within the deadline (\(commands.count) command(s))")
      for promise in promises { promise.fail(error) }
    }
    all.whenComplete { _ in timeout.cancel() }

    channel.writeAndFlush(RESPOutbound(bytes: bytes, replies: promises)).whenFailure { error in
      let failure = error as? RedisError ?? RedisError(.connectionClosed, "write failed", cause: error)
      for promise in promises { promise.fail(failure) }
    }
    do {
      return try await all.get()
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
  /// A Swift Duration as a NIO TimeAmount (nanosecond precision).
  init(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
  }
}
