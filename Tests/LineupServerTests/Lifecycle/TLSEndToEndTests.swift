import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

/// TLS on the gRPC port against real handshakes: certificates made by openssl, the server
/// and clients over real sockets.
@Suite("TLS and mutual TLS on the gRPC port")
struct TLSEndToEndTests {
  private static func request() -> Lineup_V1_GetRecommendationsRequest {
    .with { $0.userID = "u1"; $0.context.country = "BR"; $0.limit = 3 }
  }

  /// One GetRecommendations over `security`; the RPC error's code when it fails.
  private static func call(port: Int, _ security: HTTP2ClientTransport.Posix.TransportSecurity) async throws -> RPCError.Code? {
    try await withGRPCClient(
      transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: security)
    ) { client in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      var options = CallOptions.defaults
      options.timeout = .seconds(5)
      do {
        let response = try await recommender.getRecommendations(request(), options: options)
        #expect(response.items.count == 3)
        return nil
      } catch let error as RPCError {
        return error.code
      }
    }
  }

  @Test("with a certificate and key: a client trusting the CA is served; a plaintext client and one trusting another CA are not")
  func serverTLS() async throws {
    let certificates = try TestCertificates.make()
    defer { certificates.remove() }
    var config = RunningLineup.testConfiguration()
    config.server.tls = certificates.serverTLS(requireClientCertificates: false)
    try await RunningLineup.with(configuration: config) { port, _ in
      let trusting = try await Self.call(port: port, .tls { $0.trustRoots = .certificates([.file(path: certificates.caCertificate, format: .pem)]) })
      #expect(trusting == nil)
      #expect(try await Self.call(port: port, .plaintext) == .unavailable)
      let wrongCA = try await Self.call(
        port: port, .tls { $0.trustRoots = .certificates([.file(path: certificates.strangerCertificate, format: .pem)]) })
      #expect(wrongCA == .unavailable)
    }
  }

  @Test("with a client CA: only clients presenting a certificate that CA signed are served")
  func mutualTLS() async throws {
    let certificates = try TestCertificates.make()
    defer { certificates.remove() }
    var config = RunningLineup.testConfiguration()
    config.server.tls = certificates.serverTLS(requireClientCertificates: true)
    let roots = TLSConfig.TrustRootsSource.certificates([.file(path: certificates.caCertificate, format: .pem)])
    try await RunningLineup.with(configuration: config) { port, _ in
      #expect(try await Self.call(port: port, .tls { $0.trustRoots = roots }) == .unavailable, "no client certificate")
      let signed = try await Self.call(
        port: port,
        .mTLS(
          certificateChain: [.file(path: certificates.clientCertificate, format: .pem)],
          privateKey: .file(path: certificates.clientKey, format: .pem)
        ) { $0.trustRoots = roots })
      #expect(signed == nil)
      let stranger = try await Self.call(
        port: port,
        .mTLS(
          certificateChain: [.file(path: certificates.strangerCertificate, format: .pem)],
          privateKey: .file(path: certificates.strangerKey, format: .pem)
        ) { $0.trustRoots = roots })
      #expect(stranger == .unavailable, "a certificate from another CA")
    }
  }

  @Test("configuration: certificate and key come together, a client CA needs them, and unreadable files are named")
  func configuration() throws {
    let certificates = try TestCertificates.make()
    defer { certificates.remove() }
    let both = try LineupConfiguration.resolve(
      environment: ["LINEUP_TLS_KEY": certificates.serverKey], flags: [.tlsCert: certificates.serverCertificate])
    #expect(both.server.tls == LineupConfiguration.TLS(certificateChainPath: certificates.serverCertificate, privateKeyPath: certificates.serverKey))
    #expect(try LineupConfiguration.resolve(environment: [:]).server.tls == nil)

    func message(_ environment: [String: String], _ flags: [ConfigurationKey: String]) -> String? {
      do {
        _ = try LineupConfiguration.resolve(environment: environment, flags: flags)
        return nil
      } catch {
        return error.description
      }
    }
    #expect(message([:], [.tlsCert: certificates.serverCertificate])?.contains("--tls-key") == true)
    #expect(message(["LINEUP_TLS_KEY": certificates.serverKey], [:])?.contains("--tls-cert") == true)
    #expect(message([:], [.tlsClientCA: certificates.caCertificate])?.contains("--tls-cert") == true)
    let missing = message([:], [.tlsCert: "/nonexistent/cert.pem", .tlsKey: certificates.serverKey])
    #expect(missing?.contains("--tls-cert") == true && missing?.contains("/nonexistent/cert.pem") == true)
  }
}
