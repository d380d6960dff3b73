package import Foundation
package import LineupServer

/// A throwaway certificate authority with a server certificate (for 127.0.0.1 and
/// localhost) and a client certificate it signed, plus a second CA that signed nothing the
/// server trusts — PEM files made with the `openssl` command in a fresh temporary folder,
/// for TLS and mutual-TLS tests. EC P-256 keys, valid for a day.
package struct TestCertificates: Sendable {
  package let directory: URL
  package var caCertificate: String { path("ca.pem") }
  package var serverCertificate: String { path("server.pem") }
  package var serverKey: String { path("server.key") }
  package var clientCertificate: String { path("client.pem") }
  package var clientKey: String { path("client.key") }
  /// A client certificate from another CA: refused by a server that trusts only `caCertificate`.
  package var strangerCertificate: String { path("stranger.pem") }
  package var strangerKey: String { path("stranger.key") }

  private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// Makes every file; throws with openssl's own words when a step fails.
  package static func make() throws -> TestCertificates {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lineup-tls-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let certificates = TestCertificates(directory: directory)
    let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for ca in ["ca", "stranger-ca"] {
      try run(
        ["req", "-x509"] + key
          + [
            "-keyout", "\(ca).key", "-out", "\(ca).pem", "-days", "1", "-subj", "/CN=Lineup test \(ca)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
          ], in: directory)
    }
    let leaves = [
      ("server", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
      ("client", "ca", "extendedKeyUsage=clientAuth\n"),
      ("stranger", "stranger-ca", "extendedKeyUsage=clientAuth\n"),
    ]
    for (name, ca, extensions) in leaves {
      try Data(("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n" + extensions).utf8)
        .write(to: directory.appendingPathComponent("\(name).ext"))
      try run(["req"] + key + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=lineup-\(name)"], in: directory)
      try run(
        [
          "x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key", "-CAcreateserial",
          "-out", "\(name).pem", "-days", "1", "-extfile", "\(name).ext",
        ], in: directory)
    }
    return certificates
  }

  /// The server's side as configuration: its certificate and key, and this CA as the
  /// client CA when `requireClientCertificates` (mutual TLS).
  package func serverTLS(requireClientCertificates: Bool) -> LineupConfiguration.TLS {
    LineupConfiguration.TLS(
      certificateChainPath: serverCertificate, privateKeyPath: serverKey, clientCAPath: requireClientCertificates ? caCertificate : nil)
  }

  /// Removes the folder.
  package func remove() {
    try? FileManager.default.removeItem(at: directory)
  }

  private static func run(_ arguments: [String], in directory: URL) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl"] + arguments
    process.currentDirectoryURL = directory
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw TestingError("openssl \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)")
    }
  }
}
