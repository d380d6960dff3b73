package import Logging
import NIOCore

/// Listens on Redis pub/sub channels and stays subscribed: it connects (trying the URLs in
/// turn: any node of a Redis Cluster relays every PUBLISH to its subscribers), SUBSCRIBEs, and
/// hands each published message to the caller. After a lost connection it reconnects with
/// jittered backoff and subscribes again.
///
/// Pub/sub keeps nothing for an absent subscriber, so every (re)subscription is reported as
/// `.subscribed`: a caller that uses messages as "something changed" signals should re-read
/// the state itself then, since whatever was published while it was away is gone.
package struct RedisSubscriber: Sendable {
  /// What the subscriber reports.
  package enum Event: Sendable, Equatable {
    /// Subscribed to every channel (first time, or again after a reconnect).
    case subscribed
    /// A message PUBLISHed to one of the channels.
    case message(channel: String, payload: [UInt8])
  }

  /// Where to subscribe; the next one is tried after a failure.
  package let urls: [RedisURL]
  package let channels: [String]
  /// Bound on one connect + handshake + SUBSCRIBE. Default 1 s.
  package var connectTimeout: Duration = .seconds(1)
  /// Default 50 ms, doubling per failed attempt up to `maximumBackoff` (default 2 s).
  package var initialBackoff: Duration = .milliseconds(50)
  package var maximumBackoff: Duration = .seconds(2)
  /// How often the subscription is PINGed; one unanswered within `connectTimeout` closes the
  /// connection and subscribes again, so a connection that died without a word (a dropped
  /// NAT entry, a frozen server) is noticed. Default 5 s.
  package var pingInterval: Duration = .seconds(5)
  private let logger: Logger

  /// - Precondition: `urls` and `channels` are not empty.
  package init(urls: [RedisURL], channels: [String], logger: Logger) {
    precondition(!urls.isEmpty && !channels.isEmpty, "a subscriber needs a server and a channel")
    self.urls = urls
    self.channels = channels
    self.logger = logger
  }

  /// Subscribes and calls `handle` with each event, one at a time, until the task is
  /// cancelled. Messages that arrive while `handle` runs wait for it, in order.
  package func run(_ handle: (Event) async -> Void) async {
    var failures = 0
    var attempt = 0
    while !Task.isCancelled {
      let url = urls[attempt % urls.count]
      attempt += 1
      do {
        let (pushes, sink) = AsyncStream.makeStream(of: RESPValue.self)
        let connection = try await RedisConnection.connect(
          to: url, deadline: .now + connectTimeout, onPush: { sink.yield($0) })
        connection.closeFuture.whenComplete { _ in sink.finish() }
        do {
          try await subscribe(on: connection)
        } catch {
          await connection.close()
          throw error
        }
        if failures > 0 { logger.info("redis subscription restored", metadata: ["url": "\(url)"]) }
        let subscribedAt = ContinuousClock.now
        await handle(.subscribed)
        // Cancellation ends the iteration on its own; closing the connection as well lets
        // the close future (and so the sink) finish.
        await withTaskCancellationHandler {
          await withDiscardingTaskGroup { group in
            group.addTask { await keepAlive(connection) }
            for await push in pushes {
              if let event = Self.event(from: push) { await handle(event) }
            }
            group.cancelAll()
          }
        } onCancel: {
          connection.closeNow()
        }
        connection.closeNow()
        if Task.isCancelled { return }
        // A subscription that keeps dropping at once (an output-buffer limit, a proxy that
        // cuts idle clients) backs off like a failed connect instead of reconnecting in a loop.
        if ContinuousClock.now - subscribedAt >= maximumBackoff {
          failures = 0
          logger.warning("redis subscription lost; subscribing again", metadata: ["url": "\(url)"])
        } else {
          failures += 1
          if failures == 1 { logger.warning("redis subscription dropped soon after it was made; retrying with backoff", metadata: ["url": "\(url)"]) }
        }
      } catch {
        failures += 1
        if failures == 1 {
          logger.warning("redis subscription failed; retrying with backoff", metadata: ["url": "\(url)", "error": "\(error)"])
        }
      }
      do {
        try await Task.sleep(
          for: ReconnectBackoff(initial: initialBackoff, maximum: maximumBackoff).delay(afterFailures: max(failures, 1)))
      } catch {
        return
      }
    }
  }

  /// PINGs the subscribed connection every `pingInterval` until cancelled; a PING that fails
  /// or goes unanswered closes the connection, which ends the subscription's loop.
  private func keepAlive(_ connection: RedisConnection) async {
    while true {
      do {
        try await Task.sleep(for: pingInterval)
      } catch {
        return
      }
      do {
        // In subscribed mode Redis answers ["pong", ""], a reply like any other.
        _ = try await connection.pipeline([RedisCommand("PING")], deadline: .now + connectTimeout)
      } catch {
        logger.warning("redis subscription unanswered; subscribing again", metadata: ["url": "\(connection.url)", "error": "\(error)"])
        connection.closeNow()
        return
      }
    }
  }

  /// One SUBSCRIBE per channel, pipelined, so each has exactly one confirmation reply;
  /// anything but `["subscribe", channel, count]` (an ACL refusal, say) fails the attempt.
  private func subscribe(on connection: RedisConnection) async throws(RedisError) {
    let replies = try await connection.pipeline(channels.map { RedisCommand("SUBSCRIBE", $0) }, deadline: .now + connectTimeout)
    for (channel, reply) in zip(channels, replies) {
      guard case .array(let parts) = reply, parts.count == 3, case .bulk(let kind) = parts[0],
        kind.elementsEqual("subscribe".utf8)
      else {
        throw RedisError(.serverError, "SUBSCRIBE \(channel) refused: \(reply)")
      }
    }
  }

  /// A `message` push as an event (a `pmessage` too, though this type only SUBSCRIBEs).
  static func event(from push: RESPValue) -> Event? {
    guard case .array(let parts) = push, let channel = parts.dropLast().last?.string, case .bulk(let payload)? = parts.last else {
      return nil
    }
    return .message(channel: channel, payload: payload)
  }
}
