import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
package import ServiceLifecycle

/// Runs the gRPC server as a ServiceLifecycle `Service`. Once the port is bound, health turns
/// SERVING; on graceful shutdown health turns NOT_SERVING (so balancers stop sending), the
/// server stops accepting new RPCs and lets in-flight ones finish. The ServiceGroup's
/// maximum graceful-shutdown duration bounds the drain.
package struct GRPCServerService: Service, CustomStringConvertible {
  private let server: GRPCServer<HTTP2ServerTransport.Posix>
  private let health: HealthStatus
  private let logger: Logger
  private let onListening: @Sendable (Int) -> Void

  init(
    server: GRPCServer<HTTP2ServerTransport.Posix>,
    health: HealthStatus,
    logger: Logger,
    onListening: @escaping @Sendable (Int) -> Void
  ) {
    self.server = server
    self.health = health
    self.logger = logger
    self.onListening = onListening
  }

  package var description: String { "grpc-server" }

  package func run() async throws {
    try await withGracefulShutdownHandler {
      try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        // Throws when the address cannot be bound, which ends serve() and the group.
        guard let address = try await server.listeningAddress else { return }
        let port = address.ipv4?.port ?? address.ipv6?.port ?? 0
        health.markAllServing()
        logger.info("lineup-server listening", metadata: ["address": "\(address)"])
        onListening(port)
      }
      logger.info("gRPC server stopped")
    } onGracefulShutdown: {
      logger.info("draining: health NOT_SERVING, no new RPCs, waiting for in-flight RPCs")
      health.beginDraining()
      server.beginGracefulShutdown()
    }
  }
}
