import NIOCore

/// What a connection writes: the RESP bytes of one or more commands and one promise per
/// command, appended to the pending queue in the same event-loop step as the bytes are
/// written, so replies (which Redis sends in order) always meet their promise.
struct RESPOutbound: Sendable {
  var bytes: ByteBuffer
  var replies: [EventLoopPromise<RESPValue>]
}

/// The pipeline handler of one Redis connection: writes commands, parses replies with a
/// hiredis reader, completes promises first-in first-out. A reply for a command whose caller
/// already gave up (deadline) still consumes its slot; completing its promise again is a
/// no-op in NIO. When the connection ends or the server sends invalid RESP, every pending
/// command fails at once and the channel closes.
final class RESPChannelHandler: ChannelDuplexHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundIn = RESPOutbound
  typealias OutboundOut = ByteBuffer

  private let reader: RESPReplyReader
  private var pending = CircularBuffer<EventLoopPromise<RESPValue>>(initialCapacity: 16)
  private var failure: RedisError?

  init() throws(RedisError) {
    reader = try RESPReplyReader()
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    let outbound = unwrapOutboundIn(data)
    if let failure {
      for reply in outbound.replies { reply.fail(failure) }
      promise?.fail(failure)
      return
    }
    pending.append(contentsOf: outbound.replies)
    context.write(wrapOutboundOut(outbound.bytes), promise: promise)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let buffer = unwrapInboundIn(data)
    do {
      try buffer.withUnsafeReadableBytes { try reader.feed($0) }
      while let reply = try reader.next() {
        guard let promise = pending.popFirst() else {
          throw RedisError(.protocolError, "reply without a pending command")
        }
        promise.succeed(reply)
      }
    } catch {
      failAll(error as? RedisError ?? RedisError(.protocolError, "reply parsing failed", cause: error), context: context)
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    failAll(RedisError(.connectionClosed, "connection closed with the command pending"), context: context)
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    failAll(RedisError(.connectionClosed, "connection failed", cause: error), context: context)
  }

  private func failAll(_ error: RedisError, context: ChannelHandlerContext) {
    if failure == nil { failure = error }
    while let promise = pending.popFirst() { promise.fail(error) }
    if context.channel.isActive { context.close(promise: nil) }
  }
}
