import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The HTTP side port (`--metrics-port`) for Prometheus and for probes that do not speak
/// gRPC: `/metrics` is the Prometheus text exposition (docs/metrics.md), `/healthz` answers
/// 200 while the process runs, `/readyz` answers 200 only while the gRPC health status is
/// SERVING (503 before startup finishes and during a drain). Other paths are 404.
///
/// Listed before the gRPC server in the ServiceGroup, so it shuts down after the drain and
/// keeps reporting "not ready" while in-flight RPCs finish.
package struct ProbeHTTPService: Service, CustomStringConvertible {
  private let host: String
  private let port: Int
  private let health: HealthStatus
  /// Renders the metrics page; called on the event loop once per scrape.
  private let metrics: @Sendable () -> [UInt8]
  private let logger: Logger
  private let onListening: @Sendable (Int) -> Void

  init(
    host: String, port: Int, health: HealthStatus, metrics: @escaping @Sendable () -> [UInt8], logger: Logger,
    onListening: @escaping @Sendable (Int) -> Void
  ) {
    self.host = host
    self.port = port
    self.health = health
    self.metrics = metrics
    self.logger = logger
    self.onListening = onListening
  }

  package var description: String { "probe-http:\(port)" }

  package func run() async throws {
    let (health, metrics) = (self.health, self.metrics)
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 64)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline()
          try channel.pipeline.syncOperations.addHandler(ProbeHandler(health: health, metrics: metrics))
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
  private let metrics: @Sendable () -> [UInt8]
  private var path = ""
  private var keepAlive = false

  init(health: HealthStatus, metrics: @escaping @Sendable () -> [UInt8]) {
    self.health = health
    self.metrics = metrics
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      path = String(head.uri.prefix { $0 != "?" })
      keepAlive = head.isKeepAlive
    case .body:
      break
    case .end:
      let (status, contentType, body) = response(for: path)
      var headers = HTTPHeaders([("content-type", contentType), ("content-length", "\(body.count)")])
      if !keepAlive { headers.add(name: "connection", value: "close") }
      context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
      context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
      let keepAlive = self.keepAlive
      let channel = context.channel
      context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
        if !keepAlive { channel.close(promise: nil) }
      }
    }
  }

  private func response(for path: String) -> (HTTPResponseStatus, contentType: String, body: [UInt8]) {
    let text = "text/plain; charset=utf-8"
    switch path {
    case "/metrics":
      // The Prometheus text format's own content type (version 0.0.4).
      return (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics())
    case "/healthz":
      return (.ok, text, Array("ok\n".utf8))
    case "/readyz":
      return health.status(of: "") == .serving ? (.ok, text, Array("ready\n".utf8)) : (.serviceUnavailable, text, Array("not ready\n".utf8))
    default:
      return (.notFound, text, Array("not found; try /metrics, /healthz or /readyz\n".utf8))
    }
  }
}
