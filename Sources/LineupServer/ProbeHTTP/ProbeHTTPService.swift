import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The HTTP side port (`--metrics-port`) for probes that do not speak gRPC: `/healthz`
/// answers 200 while the process runs, `/readyz` answers 200 only while the gRPC health
/// status is SERVING (503 before startup finishes and during a drain). Prometheus `/metrics`
/// joins it with the control-plane work; until then other paths are 404.
///
/// Listed before the gRPC server in the ServiceGroup, so it shuts down after the drain and
/// keeps reporting "not ready" while in-flight RPCs finish.
package struct ProbeHTTPService: Service, CustomStringConvertible {
  private let host: String
  private let port: Int
  private let health: HealthStatus
  private let logger: Logger
  private let onListening: @Sendable (Int) -> Void

  init(host: String, port: Int, health: HealthStatus, logger: Logger, onListening: @escaping @Sendable (Int) -> Void) {
    self.host = host
    self.port = port
    self.health = health
    self.logger = logger
    self.onListening = onListening
  }

  package var description: String { "probe-http:\(port)" }

  package func run() async throws {
    let health = self.health
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 64)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline()
          try channel.pipeline.syncOperations.addHandler(ProbeHandler(health: health))
        }
      }
      .bind(host: host, port: port)
      .get()
    logger.info("probe HTTP listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
    onListening(channel.localAddress?.port ?? port)
    // Cancellation too: when another service fails, or the drain outlasts its bound, the
    // group cancels instead of asking nicely, and this must not keep the process alive.
    try await withTaskCancellationOrGracefulShutdownHandler {
      try await channel.closeFuture.get()
    } onCancelOrGracefulShutdown: {
      channel.close(promise: nil)
    }
  }
}

/// Answers one probe request per HTTP request on a connection.
private final class ProbeHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let health: HealthStatus
  private var path = ""
  private var keepAlive = false

  init(health: HealthStatus) {
    self.health = health
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      path = String(head.uri.prefix { $0 != "?" })
      keepAlive = head.isKeepAlive
    case .body:
      break
    case .end:
      let (status, body) = response(for: path)
      var headers = HTTPHeaders([("content-type", "text/plain; charset=utf-8"), ("content-length", "\(body.utf8.count)")])
      if !keepAlive { headers.add(name: "connection", value: "close") }
      context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
      context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
      let keepAlive = self.keepAlive
      let channel = context.channel
      context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
        if !keepAlive { channel.close(promise: nil) }
      }
    }
  }

  private func response(for path: String) -> (HTTPResponseStatus, String) {
    switch path {
    case "/healthz":
      return (.ok, "ok\n")
    case "/readyz":
      return health.status(of: "") == .serving ? (.ok, "ready\n") : (.serviceUnavailable, "not ready\n")
    default:
      return (.notFound, "not found; try /healthz or /readyz\n")
    }
  }
}
