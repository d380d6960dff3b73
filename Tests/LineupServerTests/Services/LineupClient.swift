import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupServer
import LineupTesting
import Logging

/// Runs `body` with a client connected over a real HTTP/2 socket to a freshly started
/// lineup-server.
func withLineupClient<T: Sendable>(
  configuration: LineupConfiguration? = nil,
  logger: Logger? = nil,
  _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>, LineupApplication) async throws -> T
) async throws -> T {
  try await RunningLineup.with(configuration: configuration ?? RunningLineup.testConfiguration(), logger: logger) {
    port, application in
    try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
    ) { client in
      try await body(client, application)
    }
  }
}
