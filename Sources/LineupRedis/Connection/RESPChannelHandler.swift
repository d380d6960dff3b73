import NIOCore

/// The pipeline handler of one Redis connection: writes pipelines of commands, parses replies
/// with a hiredis reader and hands each caller its replies first-in first-out. Everything here
/// runs on the channel's event loop; `RedisConnection` reaches it through an `NIOLoopBound`.
///
/// One waiting caller per pipeline, not per command: the replies of a pipeline are collected
/// into one array and the caller resumed once. Deadlines are kept here too, with one timer for
/// the whole connection armed at the earliest pending deadline, rather than a scheduled task
/// per call. A pipeline whose deadline passes is answered with `.timeout` at once but keeps its
/// place in the queue: its late replies are read and dropped, so they never shift onto the
/// pipelines behind it. When the connection ends, its handler is removed, or the server sends
/// invalid RESP, every pending pipeline fails at once and the channel closes.
///
/// A subscriber connection (`onPush` set) also receives what Redis sends unasked once it is
/// in SUBSCRIBE mode: each `message` / `pmessage` array goes to `onPush` instead of the
/// queue, wherever it falls between replies, so it never answers a pending PING or SUBSCRIBE.
final class RESPChannelHandler: ChannelInboundHandler, NIOScheduledCallbackHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  /// Resumed exactly once: with the replies, a timeout, or the connection's failure. The
  /// queue below is the proof: a waiter is resumed only where it is also set to nil (timeout)
  /// or removed from the queue (reply, failure), all on the event loop.
  typealias Waiter = UnsafeContinuation<[RESPValue], any Error>

  /// One pipeline waiting for its replies.
  private struct Pending {
    /// Replies it needs.
    let count: Int
    let deadline: NIODeadline
    /// Nil once it timed out: it keeps its slot and its late replies are dropped.
    var waiter: Waiter?
  }

  private let reader: RESPReplyReader
  /// Where published messages go on a subscriber connection; nil on an ordinary one.
  private let onPush: (@Sendable (RESPValue) -> Void)?
  private var context: ChannelHandlerContext?
  private var pending = CircularBuffer<Pending>(initialCapacity: 16)
  /// Replies received so far for the pipeline at the head of `pending`.
  private var headReplies: [RESPValue] = []
  private var headReceived = 0
  /// Set once the connection failed; later pipelines fail with it at once.
  private var failure: RedisError?
  /// The connection's one deadline timer and when it fires (`.distantFuture`: not armed).
  /// Invariant: armed no later than the earliest deadline of a pending pipeline with a waiter;
  /// firing earlier than needed is harmless (it re-arms), so completions never cancel it.
  private var timer: NIOScheduledCallback?
  private var timerDeadline = NIODeadline.distantFuture

  init(onPush: (@Sendable (RESPValue) -> Void)? = nil) throws(RedisError) {
    reader = try RESPReplyReader()
    self.onPush = onPush
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    failAll(RedisError(.connectionClosed, "connection closed with the command pending"))
    self.context = nil
  }

  /// Writes `bytes` (the RESP of `count` commands) and queues `waiter` for their replies, in
  /// the same event-loop step, so replies (which Redis sends in order) always meet their caller.
  func enqueue(_ bytes: ByteBuffer, count: Int, deadline: NIODeadline, waiter: Waiter) {
    if let failure {
      waiter.resume(throwing: failure)
      return
    }
    guard let context else {
      waiter.resume(throwing: RedisError(.connectionClosed, "connection closed"))
      return
    }
    pending.append(Pending(count: count, deadline: deadline, waiter: waiter))
    if pending.count == 1 { headReplies.reserveCapacity(count) }
    if deadline < timerDeadline { arm(at: deadline, on: context.eventLoop) }
    // Socket write errors close the channel, which fails this pipeline through handlerRemoved,
    // so no write promise is needed.
    context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let buffer = unwrapInboundIn(data)
    do {
      try buffer.withUnsafeReadableBytes { try reader.feed($0) }
      while let reply = try reader.next() {
        if let onPush, Self.isPublishedMessage(reply) {
          onPush(reply)
          continue
        }
        guard let head = pending.first else {
          throw RedisError(.protocolError, "reply without a pending command")
        }
        headReceived += 1
        if head.waiter != nil { headReplies.append(reply) }
        guard headReceived == head.count else { continue }
        pending.removeFirst()
        let replies = headReplies
        headReplies = []
        headReceived = 0
        if let next = pending.first { headReplies.reserveCapacity(next.count) }
        head.waiter?.resume(returning: replies)
      }
    } catch {
      failAll(error as? RedisError ?? RedisError(.protocolError, "reply parsing failed", cause: error))
      context.close(promise: nil)
    }
  }

  /// `["message", channel, payload]` or `["pmessage", pattern, channel, payload]`: what a
  /// subscribed connection receives for a PUBLISH, as opposed to a reply to its own command.
  static func isPublishedMessage(_ reply: RESPValue) -> Bool {
    guard case .array(let parts) = reply, case .bulk(let kind)? = parts.first else { return false }
    return (parts.count == 3 && kind.elementsEqual("message".utf8)) || (parts.count == 4 && kind.elementsEqual("pmessage".utf8))
  }

  func channelInactive(context: ChannelHandlerContext) {
    failAll(RedisError(.connectionClosed, "connection closed with the command pending"))
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    failAll(RedisError(.connectionClosed, "connection failed", cause: error))
    context.close(promise: nil)
  }

  /// The deadline timer fired: answer every pipeline past its deadline with `.timeout` (each
  /// keeps its slot) and re-arm for the earliest deadline still waiting.
  func handleScheduledCallback(eventLoop: some EventLoop) {
    timer = nil
    timerDeadline = .distantFuture
    let now = NIODeadline.now()
    var earliest = NIODeadline.distantFuture
    for index in pending.indices {
      guard let waiter = pending[index].waiter else { continue }
      if pending[index].deadline <= now {
        pending[index].waiter = nil
        if index == pending.startIndex { headReplies = [] }
        waiter.resume(
          throwing: RedisError(.timeout, "no reply within the deadline (\(pending[index].count) command(s))"))
      } else if pending[index].deadline < earliest {
        earliest = pending[index].deadline
      }
    }
    if earliest != .distantFuture { arm(at: earliest, on: eventLoop) }
  }

  private func arm(at deadline: NIODeadline, on eventLoop: some EventLoop) {
    timer?.cancel()
    timerDeadline = deadline
    do {
      timer = try eventLoop.assumeIsolated().scheduleCallback(at: deadline, handler: self)
    } catch {
      // Only a loop that is shutting down refuses; its channels are closing, which fails
      // every pending pipeline anyway.
      timer = nil
    }
  }

  private func failAll(_ error: RedisError) {
    if failure == nil { failure = error }
    timer?.cancel()
    timer = nil
    timerDeadline = .distantFuture
    let failed = pending
    pending.removeAll()
    headReplies = []
    headReceived = 0
    for entry in failed { entry.waiter?.resume(throwing: error) }
  }
}
