import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on a free loopback port that forwards to a target and holds every chunk of
/// bytes for a configurable delay in each direction: a slow Redis (or a slow network) for
/// tests and for the load harness's slow-dependency scenario. The delay can change while
/// connections are open; chunks never overtake each other.
package final class DelayingTCPProxy: Sendable {
  /// The port clients connect to.
  package let port: Int
  private let channel: any Channel
  private let delay: DelaySetting

  /// Holds the current one-way delay for every connection of the proxy.
  final class DelaySetting: Sendable {
    private let nanoseconds = Atomic<Int64>(0)
    var current: TimeAmount { .nanoseconds(nanoseconds.load(ordering: .relaxed)) }
    func set(_ delay: Duration) { nanoseconds.store(TimeAmount(delay).nanoseconds, ordering: .relaxed) }
  }

  private init(port: Int, channel: any Channel, delay: DelaySetting) {
    self.port = port
    self.channel = channel
    self.delay = delay
  }

  /// Starts a proxy to `host:port` with an initial one-way `delay`.
  package static func start(
    to targetHost: String,
    port targetPort: Int,
    delay initial: Duration = .zero
  ) async throws -> DelayingTCPProxy {
    let delay = DelaySetting()
    delay.set(initial)
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelOption(.autoRead, value: false)
      .childChannelInitializer { inbound in
        // Connect upstream first; only then start reading from the client.
        ClientBootstrap(group: inbound.eventLoop)
          .channelOption(.socketOption(.tcp_nodelay), value: 1)
          .connect(host: targetHost, port: targetPort)
          .flatMap { outbound in
            // Both channels share the inbound channel's event loop.
            inbound.eventLoop.makeCompletedFuture {
              try inbound.pipeline.syncOperations.addHandler(DelayedForwarder(peer: outbound, delay: delay))
              try outbound.pipeline.syncOperations.addHandler(DelayedForwarder(peer: inbound, delay: delay))
              inbound.read()
            }
          }
          .flatMapErrorThrowing { error in
            inbound.close(promise: nil)
            throw error
          }
      }
      .bind(host: "127.0.0.1", port: 0)
      .get()
    guard let port = server.localAddress?.port else { throw TestingError("proxy did not bind") }
    return DelayingTCPProxy(port: port, channel: server, delay: delay)
  }

  /// Changes the one-way delay for bytes read from now on.
  package func setDelay(_ delay: Duration) { self.delay.set(delay) }

  /// Stops listening (open connections close when either side does).
  package func close() async {
    try? await channel.close()
  }
}

/// Forwards what one side reads to the other side after the current delay, in order: each
/// chunk is released no earlier than the previous one.
private final class DelayedForwarder: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer

  private let peer: any Channel
  private let delay: DelayingTCPProxy.DelaySetting
  private var lastRelease: NIODeadline = .uptimeNanoseconds(0)

  init(peer: any Channel, delay: DelayingTCPProxy.DelaySetting) {
    self.peer = peer
    self.delay = delay
  }

  func channelActive(context: ChannelHandlerContext) {
    context.read()
    context.fireChannelActive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let bytes = unwrapInboundIn(data)
    let release = max(NIODeadline.now() + delay.current, lastRelease)
    lastRelease = release
    let peer = self.peer
    context.eventLoop.scheduleTask(deadline: release) {
      peer.writeAndFlush(bytes, promise: nil)
    }
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    context.read()
  }

  func channelInactive(context: ChannelHandlerContext) {
    // Close the other side once everything scheduled so far has been written.
    let peer = self.peer
    context.eventLoop.scheduleTask(deadline: max(lastRelease, .now())) {
      peer.close(promise: nil)
    }
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    context.close(promise: nil)
    peer.close(promise: nil)
  }
}
