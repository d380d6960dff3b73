import Dispatch
import Foundation
import LineupServer
import LineupTesting
import Testing

/// The built `lineupctl` binary against a running server: what an operator types, with the
/// exit codes and messages a script relies on.
@Suite("lineupctl end to end")
struct LineupctlEndToEndTests {
  static let adminSecret = "ctl-admin-secret-0123456789"
  static let readSecret = "ctl-read-secret-0123456789"

  /// `.build/debug/lineupctl`, built by `swift build --build-tests` (make test); the
  /// LINEUPCTL_BIN environment variable overrides it.
  static var binary: String {
    ProcessInfo.processInfo.environment["LINEUPCTL_BIN"]
      ?? Fixtures.repositoryRoot.appendingPathComponent(".build/debug/lineupctl").path
  }

  struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs lineupctl with `arguments`; the environment carries no Lineup settings, so the
  /// flags given are all it knows.
  static func lineupctl(_ arguments: [String]) async throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let exited = AsyncStream<Int32> { continuation in
      process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
    }
    try process.run()
    // Read while it runs (a full pipe would block the child), on Dispatch threads: a blocking
    // read on the cooperative pool (two threads here) would starve the in-process server.
    async let stdout = Self.readToEnd(out.fileHandleForReading)
    async let stderr = Self.readToEnd(err.fileHandleForReading)
    var status: Int32 = -1
    for await code in exited { status = code }
    return Run(status: status, stdout: String(decoding: await stdout, as: UTF8.self), stderr: String(decoding: await stderr, as: UTF8.self))
  }

  static func readToEnd(_ handle: FileHandle) async -> Data {
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
    }
  }

  @Test("flags, breakers, audit, recs, forget and health through the CLI; bad token and unreachable server fail clearly")
  func operatorSession() async throws {
    var config = RunningLineup.testConfiguration()
    config.control.adminTokens = [
      AdminToken(secret: Self.adminSecret, actor: "oncall", canWrite: true),
      AdminToken(secret: Self.readSecret, actor: "dashboard", canWrite: false),
    ]
    try await RunningLineup.with(configuration: config) { port, _ in
      let target = ["--target", "127.0.0.1:\(port)"]
      let admin = target + ["--token", Self.adminSecret]

      var run = try await Self.lineupctl(["health"] + target)
      #expect(run.status == 0, "\(run.stderr)")

      run = try await Self.lineupctl(["flags", "kill", "recs", "--reason", "incident 9"] + admin)
      #expect(run.status == 0, "\(run.stderr)")
      run = try await Self.lineupctl(["recs", "u1", "--country", "BR", "--limit", "3", "--json"] + target)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stdout.contains("FALLBACK_REASON_FLAG_OFF"), "\(run.stdout)")

      run = try await Self.lineupctl(["flags", "rollout", "recs", "12.5", "--reason", "resume slowly"] + admin)
      #expect(run.status == 0, "\(run.stderr)")
      run = try await Self.lineupctl(["flags", "list", "--json"] + target + ["--token", Self.readSecret])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stdout.contains("1250"), "\(run.stdout)")

      run = try await Self.lineupctl(["breakers", "open", "redis.read", "--reason", "drill"] + admin)
      #expect(run.status == 0, "\(run.stderr)")
      run = try await Self.lineupctl(["breakers", "list"] + admin)
      #expect(run.stdout.contains("redis.read") && run.stdout.uppercased().contains("FORCED_OPEN"), "\(run.stdout)")
      run = try await Self.lineupctl(["breakers", "auto", "redis.read", "--reason", "drill over"] + admin)
      #expect(run.status == 0, "\(run.stderr)")

      run = try await Self.lineupctl(["forget", "u1", "--reason", "erasure request"] + admin)
      #expect(run.status == 0, "\(run.stderr)")

      run = try await Self.lineupctl(["audit", "tail", "--json"] + admin)
      #expect(run.status == 0, "\(run.stderr)")
      for action in ["flag.set", "breaker.override", "user.delete"] { #expect(run.stdout.contains(action), "\(run.stdout)") }
      #expect(run.stdout.contains("oncall"))

      // A read-only token cannot change anything; a wrong one is not let in; a change needs a reason.
      run = try await Self.lineupctl(["flags", "kill", "recs", "--reason", "x"] + target + ["--token", Self.readSecret])
      #expect(run.status == 1 && run.stderr.contains("PERMISSION_DENIED"), "\(run.stderr)")
      run = try await Self.lineupctl(["flags", "list"] + target + ["--token", "not-the-token-at-all"])
      #expect(run.status == 1 && run.stderr.contains("UNAUTHENTICATED"), "\(run.stderr)")
      run = try await Self.lineupctl(["flags", "kill", "recs"] + admin)
      #expect(run.status == 2, "\(run.stderr)")
    }
    let port = try FreePort.loopback()
    let run = try await Self.lineupctl(["health", "--target", "127.0.0.1:\(port)"])
    #expect(run.status == 1 && run.stderr.contains("cannot reach"), "\(run.stderr)")
  }

  @Test("against a mutual-TLS server: --tls-ca with a client certificate is served; plaintext and TLS without one fail clearly")
  func mutualTLS() async throws {
    let certificates = try TestCertificates.make()
    defer { certificates.remove() }
    var config = RunningLineup.testConfiguration()
    config.server.tls = certificates.serverTLS(requireClientCertificates: true)
    try await RunningLineup.with(configuration: config) { port, _ in
      let target = ["--target", "127.0.0.1:\(port)", "--timeout-ms", "3000"]
      let tls = ["--tls-ca", certificates.caCertificate]
      let client = ["--tls-cert", certificates.clientCertificate, "--tls-key", certificates.clientKey]
      var run = try await Self.lineupctl(["recs", "u1", "--limit", "3"] + target + tls + client)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stdout.contains("RANK"))
      run = try await Self.lineupctl(["health"] + target + tls)
      #expect(run.status != 0, "no client certificate: \(run.stdout)")
      run = try await Self.lineupctl(["health"] + target)
      #expect(run.status != 0, "plaintext against TLS: \(run.stdout)")
      run = try await Self.lineupctl(["health", "--tls-cert", certificates.clientCertificate] + target + tls)
      #expect(run.status == 2 && run.stderr.contains("--tls-key"), "\(run.status) \(run.stderr)")
    }
  }
}
