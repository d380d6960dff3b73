import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupWire
import SwiftProtobuf

// What every subcommand shares: the global options, the connection, the one error type and
// the output helpers (a table printer and formatting of timestamps, money and enums).

// MARK: - Options

/// Every environment variable lineupctl reads, in one place. Flags win over these, and these
/// win over the defaults.
enum EnvironmentKey: String, CaseIterable {
  /// host:port of Lineup's gRPC listener.
  case target = "LINEUP_TARGET"
  /// The admin bearer token itself.
  case adminToken = "LINEUP_ADMIN_TOKEN"
  /// A file holding the admin token (read, whitespace trimmed).
  case adminTokenFile = "LINEUP_ADMIN_TOKEN_FILE"
  /// PEM CA certificates to trust for the server's certificate (turns TLS on).
  case tlsCA = "LINEUP_TLS_CA"

  /// The variable's value, nil when unset or empty (an empty variable is treated as unset so
  /// `LINEUP_TARGET= lineupctl …` falls back to the default rather than failing).
  func value(in environment: [String: String]) -> String? {
    guard let value = environment[rawValue], !value.isEmpty else { return nil }
    return value
  }
}

/// The options every subcommand takes: where Lineup is, who is calling, how long to wait
/// and how to print.
struct GlobalOptions: ParsableArguments {
  /// Used when neither --target nor LINEUP_TARGET is given: `make run`'s address.
  static let defaultTarget = "127.0.0.1:50051"

  @Option(
    help: ArgumentHelp(
      "Lineup's gRPC address (env LINEUP_TARGET; default \(GlobalOptions.defaultTarget)).",
      valueName: "host:port"))
  var target: String?

  @Option(help: "Admin bearer token (env LINEUP_ADMIN_TOKEN). Visible to `ps`: prefer --token-file or the environment.")
  var token: String?

  @Option(help: ArgumentHelp("File holding the admin token, whitespace trimmed (env LINEUP_ADMIN_TOKEN_FILE).", valueName: "path"))
  var tokenFile: String?

  @Option(help: ArgumentHelp("Deadline of each call, in milliseconds.", valueName: "ms"))
  var timeoutMs = 5_000

  @Flag(help: "Print the response message as JSON (the proto3 JSON mapping) instead of tables.")
  var json = false

  @Flag(help: "Connect with TLS, trusting the system's CA certificates (see --tls-ca).")
  var tls = false

  @Option(help: ArgumentHelp("Connect with TLS, trusting the CA certificates in this PEM file (env LINEUP_TLS_CA).", valueName: "path"))
  var tlsCA: String?

  @Option(help: ArgumentHelp("PEM client certificate, for a server that requires one (mutual TLS; with --tls-key).", valueName: "path"))
  var tlsCert: String?

  @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "path"))
  var tlsKey: String?

  func validate() throws {
    guard timeoutMs > 0 else { throw ValidationError("--timeout-ms must be above 0, got \(timeoutMs)") }
    if token != nil && tokenFile != nil { throw ValidationError("give --token or --token-file, not both") }
    if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("give --tls-cert and --tls-key together") }
    for (flag, path) in [("--tls-ca", tlsCA), ("--tls-cert", tlsCert), ("--tls-key", tlsKey)] {
      if let path, !FileManager.default.isReadableFile(atPath: path) { throw ValidationError("\(flag): cannot read \(path)") }
    }
    if let target { _ = try LineupTarget(parsing: target, source: "--target") }
  }

  /// The settings these options and the environment resolve to.
  func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConnectionSettings {
    let target: LineupTarget
    if let given = self.target {
      target = try LineupTarget(parsing: given, source: "--target")
    } else if let fromEnvironment = EnvironmentKey.target.value(in: environment) {
      target = try LineupTarget(parsing: fromEnvironment, source: EnvironmentKey.target.rawValue)
    } else {
      target = try LineupTarget(parsing: Self.defaultTarget, source: "the default")
    }
    // Flags before the environment, and within each the token before the file, so an explicit
    // --token-file is never shadowed by a LINEUP_ADMIN_TOKEN left in the shell.
    let token: String?
    if let given = self.token {
      token = try Self.checkedToken(given, source: "--token")
    } else if let path = tokenFile {
      token = try Self.readToken(path, source: "--token-file")
    } else if let fromEnvironment = EnvironmentKey.adminToken.value(in: environment) {
      token = try Self.checkedToken(fromEnvironment, source: EnvironmentKey.adminToken.rawValue)
    } else if let path = EnvironmentKey.adminTokenFile.value(in: environment) {
      token = try Self.readToken(path, source: EnvironmentKey.adminTokenFile.rawValue)
    } else {
      token = nil
    }
    let tlsCA = self.tlsCA ?? EnvironmentKey.tlsCA.value(in: environment)
    if self.tlsCA == nil, let tlsCA, !FileManager.default.isReadableFile(atPath: tlsCA) {
      throw ValidationError("\(EnvironmentKey.tlsCA.rawValue): cannot read \(tlsCA)")
    }
    var security: ConnectionSettings.Security = .plaintext
    if tls || tlsCA != nil || tlsCert != nil {
      var client: (certificate: String, key: String)?
      if let tlsCert, let tlsKey { client = (tlsCert, tlsKey) }
      security = .tls(trusting: tlsCA, client: client)
    }
    return ConnectionSettings(target: target, token: token, timeout: .milliseconds(timeoutMs), json: json, security: security)
  }

  private static func readToken(_ path: String, source: String) throws -> String {
    let contents: String
    do {
      contents = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw ValidationError("\(source): cannot read \(path): \(error.localizedDescription)")
    }
    return try checkedToken(contents.trimmingCharacters(in: .whitespacesAndNewlines), source: "\(source) \(path)")
  }

  /// A token goes into an HTTP/2 header: it must be non-empty printable ASCII without spaces,
  /// or the call would fail in the transport with a far less helpful message.
  private static func checkedToken(_ token: String, source: String) throws -> String {
    guard !token.isEmpty else { throw ValidationError("\(source): the token is empty") }
    guard token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
      throw ValidationError("\(source): the token must be printable ASCII without spaces")
    }
    return token
  }
}

/// `--reason`, required by every command that changes something: the server records it in
/// the audit log and refuses a change without one, so lineupctl refuses it before calling.
struct ChangeReason: ParsableArguments {
  @Option(help: "Why the change is made; recorded in the audit log. Required.")
  var reason: String

  func validate() throws {
    if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw ValidationError("--reason must say why; it is recorded in the audit log")
    }
  }
}

/// A Lineup address, host:port, as the operator wrote it.
struct LineupTarget: Sendable, CustomStringConvertible {
  var host: String
  var port: Int

  /// Accepts `host:port`, `1.2.3.4:port` and `[::1]:port`; `source` names where the text came
  /// from in the error.
  init(parsing text: String, source: String) throws {
    let problem = ValidationError("\(source) must be host:port (e.g. 127.0.0.1:50051 or [::1]:50051), got \"\(text)\"")
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port)
    else { throw problem }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") {
      host = String(host.dropFirst().dropLast())
    } else if host.contains(":") {
      throw problem  // an IPv6 address without brackets: its port cannot be told apart
    }
    guard !host.isEmpty else { throw problem }
    self.host = host
    self.port = port
  }

  var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

  /// The name-resolver target: address literals are used as they are; anything else is
  /// resolved through DNS.
  var resolvable: any ResolvableTarget {
    if host.contains(":") { return .ipv6(address: host, port: port) }
    let octets = host.split(separator: ".", omittingEmptySubsequences: false)
    if octets.count == 4 && octets.allSatisfy({ UInt8($0) != nil }) { return .ipv4(address: host, port: port) }
    return .dns(host: host, port: port)
  }
}

/// Where and how to call, resolved once from `GlobalOptions` and the environment.
struct ConnectionSettings: Sendable {
  /// How the connection is secured.
  enum Security: Sendable {
    case plaintext
    /// TLS, trusting the CA certificates in `trusting` (the system's when nil), and
    /// presenting a client certificate when `client` is set.
    case tls(trusting: String?, client: (certificate: String, key: String)?)
  }

  var target: LineupTarget
  /// Sent only on Admin calls; nil sends no authorization header and lets the server answer.
  var token: String?
  var timeout: Duration
  var json: Bool
  var security: Security = .plaintext

  /// The transport's security for these settings.
  var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
    switch security {
    case .plaintext:
      return .plaintext
    case .tls(let trusting, let client):
      func configure(_ config: inout HTTP2ClientTransport.Posix.TransportSecurity.TLS) {
        if let trusting { config.trustRoots = .certificates([.file(path: trusting, format: .pem)]) }
      }
      guard let client else { return .tls(configure: configure) }
      return .mTLS(
        certificateChain: [.file(path: client.certificate, format: .pem)], privateKey: .file(path: client.key, format: .pem),
        configure: configure)
    }
  }
}

// MARK: - Errors

/// The one error lineupctl reports: a line the operator can act on, printed as
/// `lineupctl: <message>` on stderr, and the exit code that goes with it.
struct LineupctlError: Error, CustomStringConvertible {
  /// What kind of failure, which decides the exit code.
  enum Code: Sendable {
    /// The server could not be reached at all (no stream was opened).
    case unreachable
    /// The server (or the connection once open) answered with a non-OK status.
    case callFailed(RPCError.Code)
    /// A file lineupctl reads is malformed, or the server rejected some of what was sent.
    case badInput
  }

  var code: Code
  var message: String
  var cause: (any Error)?

  var description: String { message }

  /// 1 for every failed call or rejected input; usage errors (2) are ArgumentParser's
  /// `ValidationError`s, mapped in `Lineupctl.main`.
  var exitCode: Int32 { 1 }

  /// The operator-facing rendering of a failed call: the canonical status name, the server's
  /// message, and a hint for the two statuses that mean "fix your credentials".
  static func failedCall(_ error: RPCError, target: LineupTarget, reachedServer: Bool) -> LineupctlError {
    if !reachedServer && error.code == .unavailable {
      // The transport's message says "could not connect"; its innermost cause says why
      // (connection refused, no such host …), which is what the operator acts on.
      var cause = error.cause
      while let wrapped = cause as? RPCError, let inner = wrapped.cause { cause = inner }
      var what = error.message
      if what.hasSuffix(".") { what.removeLast() }
      if let cause { what += ": \(cause)" }
      return LineupctlError(
        code: .unreachable,
        message: "cannot reach Lineup at \(target): \(what)\nhint: is it running there? set --target or LINEUP_TARGET",
        cause: error)
    }
    var message = "\(error.code.canonicalName): \(error.message)"
    switch error.code {
    case .unauthenticated:
      message += "\nhint: pass an admin token with --token, --token-file, LINEUP_ADMIN_TOKEN or LINEUP_ADMIN_TOKEN_FILE"
    case .permissionDenied:
      message += "\nhint: this token is read-only; changes need a token with write access"
    case .deadlineExceeded:
      message += "\nhint: no answer within --timeout-ms; raise it, or check that \(target) is the right address"
    default:
      break
    }
    return LineupctlError(code: .callFailed(error.code), message: message, cause: error)
  }
}

extension RPCError.Code {
  /// The status name as the gRPC spec and Lineup's protos spell it (INVALID_ARGUMENT), rather
  /// than grpc-swift's Swift spelling (invalidArgument), so it matches server docs and logs.
  var canonicalName: String {
    switch self {
    case .cancelled: "CANCELLED"
    case .unknown: "UNKNOWN"
    case .invalidArgument: "INVALID_ARGUMENT"
    case .deadlineExceeded: "DEADLINE_EXCEEDED"
    case .notFound: "NOT_FOUND"
    case .alreadyExists: "ALREADY_EXISTS"
    case .permissionDenied: "PERMISSION_DENIED"
    case .resourceExhausted: "RESOURCE_EXHAUSTED"
    case .failedPrecondition: "FAILED_PRECONDITION"
    case .aborted: "ABORTED"
    case .outOfRange: "OUT_OF_RANGE"
    case .unimplemented: "UNIMPLEMENTED"
    case .internalError: "INTERNAL"
    case .unavailable: "UNAVAILABLE"
    case .dataLoss: "DATA_LOSS"
    case .unauthenticated: "UNAUTHENTICATED"
    default: "CODE_\(rawValue)"
    }
  }
}

// MARK: - Connection

/// One HTTP/2 connection to a Lineup server, lent to a command's body for its duration, with
/// the generated clients and the options every call is sent with.
struct LineupConnection: Sendable {
  let settings: ConnectionSettings
  let admin: Lineup_V1_Admin.Client<HTTP2ClientTransport.Posix>
  let recommender: Lineup_V1_Recommender.Client<HTTP2ClientTransport.Posix>
  let health: Grpc_Health_V1_Health.Client<HTTP2ClientTransport.Posix>

  /// The deadline, and no waiting for a connection: an unreachable server fails the first
  /// call at once instead of retrying until the deadline.
  var callOptions: CallOptions {
    var options = CallOptions.defaults
    options.timeout = settings.timeout
    options.waitForReady = false
    return options
  }

  /// `authorization: Bearer <token>` for Admin calls. Recommender and health calls go without
  /// it: they need no credentials, so the token is not sent where it is not needed.
  var adminMetadata: Metadata {
    guard let token = settings.token else { return [:] }
    return ["authorization": "Bearer \(token)"]
  }

  /// Connects to the target the options name, runs `body`, and closes the connection.
  static func with<Result: Sendable>(
    _ options: GlobalOptions,
    _ body: (LineupConnection) async throws -> Result
  ) async throws -> Result {
    let settings = try options.resolved()
    let transport: HTTP2ClientTransport.Posix
    do {
      transport = try HTTP2ClientTransport.Posix(target: settings.target.resolvable, transportSecurity: settings.transportSecurity)
    } catch {
      throw LineupctlError(code: .unreachable, message: "cannot reach Lineup at \(settings.target): \(error)", cause: error)
    }
    return try await withGRPCClient(transport: transport) { client in
      try await body(
        LineupConnection(
          settings: settings,
          admin: Lineup_V1_Admin.Client(wrapping: client),
          recommender: Lineup_V1_Recommender.Client(wrapping: client),
          health: Grpc_Health_V1_Health.Client(wrapping: client)))
    }
  }

  /// Sends one unary call and returns its message, or throws a `LineupctlError` that says what
  /// went wrong. `send` passes `Self.outcome` as the call's `onResponse`.
  ///
  /// The split between a thrown error and a returned failure is what tells "never reached the
  /// server" from "the server said UNAVAILABLE": grpc-swift only calls `onResponse` once a
  /// stream is open, so an error thrown past it comes from connecting (or the deadline), while
  /// an error inside the response came over the wire. Lineup answers UNAVAILABLE itself when
  /// its store is down, and that must not read as "is it running?".
  func call<Response: Sendable>(
    _ send: (CallOptions) async throws -> Swift.Result<Response, RPCError>
  ) async throws -> Response {
    let outcome: Swift.Result<Response, RPCError>
    do {
      outcome = try await send(callOptions)
    } catch let error as RPCError {
      throw LineupctlError.failedCall(error, target: settings.target, reachedServer: false)
    }
    switch outcome {
    case .success(let message): return message
    case .failure(let error): throw LineupctlError.failedCall(error, target: settings.target, reachedServer: true)
    }
  }

  /// The `onResponse` handler `call` expects: the response's message or its error, as a value.
  @Sendable static func outcome<Message: Sendable>(_ response: ClientResponse<Message>) -> Swift.Result<Message, RPCError> {
    response.accepted.flatMap(\.message)
  }
}

// MARK: - Output

/// Writes one line to stderr: diagnostics and errors never mix with the table or JSON on
/// stdout, so `lineupctl … --json | jq` keeps working when something is reported.
func printError(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints `message` as proto3 JSON when `json` is set, else runs `human`.
func emit(_ message: some SwiftProtobuf.Message, json: Bool, human: () -> Void) throws {
  if json {
    print(try message.jsonString())
  } else {
    human()
  }
}

/// A column-aligned plain-text table: upper-case headers, two spaces between columns, numeric
/// columns aligned right, no trailing blanks. Widths count Characters, which is exact for the
/// ASCII ids and codes Lineup uses; wide (CJK) characters would misalign, and that is accepted.
struct TextTable {
  private let headers: [String]
  private let rightAligned: Set<Int>
  private let showsHeader: Bool
  private var rows: [[String]] = []

  /// `rightAligned` holds the indexes of the columns to align right (numbers);
  /// `showsHeader: false` makes a key/value listing whose header would say nothing.
  init(_ headers: [String], rightAligned: Set<Int> = [], showsHeader: Bool = true) {
    self.headers = headers.map { $0.uppercased() }
    self.rightAligned = rightAligned
    self.showsHeader = showsHeader
  }

  var isEmpty: Bool { rows.isEmpty }

  /// Adds a row; missing cells are blank, extra cells are dropped. Line breaks and tabs in a
  /// cell become spaces so a server message cannot break the alignment.
  mutating func append(_ cells: [String]) {
    rows.append(headers.indices.map { index in
      guard index < cells.count else { return "" }
      return String(cells[index].map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
    })
  }

  var rendered: String {
    let all = (showsHeader ? [headers] : []) + rows
    let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
      var line = ""
      for (column, cell) in row.enumerated() {
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        let isLast = column == row.count - 1
        if column > 0 { line += "  " }
        line += rightAligned.contains(column) ? padding + cell : (isLast ? cell : cell + padding)
      }
      while line.hasSuffix(" ") { line.removeLast() }
      return line
    }.joined(separator: "\n")
  }
}

/// Shortens `text` to `limit` Characters with a trailing ellipsis, for wide table cells.
func truncated(_ text: String, to limit: Int) -> String {
  text.count <= limit ? text : String(text.prefix(max(0, limit - 1))) + "…"
}

extension Google_Protobuf_Timestamp {
  /// ISO-8601 in UTC, whole seconds (e.g. 2026-06-01T00:35:42Z).
  var iso8601: String { date.formatted(.iso8601) }
}

/// The timestamp, or "-" when the message does not carry it.
func timestamp(_ value: Google_Protobuf_Timestamp, present: Bool) -> String {
  present ? value.iso8601 : "-"
}

/// Fixed-point decimals without floating point: "12.5" with 2 decimals is 1250. Used for
/// rollout percentages (→ basis points) and prices (→ minor units).
enum FixedPoint {
  /// Parses a non-negative decimal with at most `decimals` digits after the point; nil when
  /// the text is not one (or does not fit an Int64).
  static func parse(_ text: String, decimals: Int) -> Int64? {
    let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    let whole = parts[0]
    let fraction = parts.count > 1 ? parts[1] : ""
    // "12", "12.5" and ".5"; not "", "." or "12." (a dangling point is more likely a typo).
    guard !whole.isEmpty || !fraction.isEmpty, whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit),
      fraction.count <= decimals, parts.count == 1 || !fraction.isEmpty
    else { return nil }
    var scale: Int64 = 1
    for _ in 0..<decimals { scale *= 10 }
    let paddedFraction = fraction + String(repeating: "0", count: decimals - fraction.count)
    guard let wholeValue = whole.isEmpty ? 0 : Int64(whole), let fractionValue = decimals == 0 ? 0 : Int64(paddedFraction) else {
      return nil
    }
    let (scaled, overflow) = wholeValue.multipliedReportingOverflow(by: scale)
    guard !overflow else { return nil }
    let (sum, overflowSum) = scaled.addingReportingOverflow(fractionValue)
    return overflowSum ? nil : sum
  }

  /// Formats `value` with `decimals` digits after the point: 1250 with 2 is "12.50".
  static func format(_ value: Int64, decimals: Int) -> String {
    guard decimals > 0 else { return String(value) }
    let magnitude = value.magnitude  // UInt64: Int64.min has no positive Int64
    var scale: UInt64 = 1
    for _ in 0..<decimals { scale *= 10 }
    let fraction = String(magnitude % scale)
    let padded = String(repeating: "0", count: decimals - fraction.count) + fraction
    return "\(value < 0 ? "-" : "")\(magnitude / scale).\(padded)"
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// Basis points as a percentage with two decimals: 1250 → "12.50%".
func percent(basisPoints: Int32) -> String {
  FixedPoint.format(Int64(basisPoints), decimals: 2) + "%"
}

/// A 0…1 rate as a percentage with one decimal: 0.1234 → "12.3%".
func percent(rate: Double) -> String {
  String(format: "%.1f%%", rate * 100)
}

/// A score or weight with three decimals.
func decimal(_ value: Double) -> String {
  String(format: "%.3f", value)
}

extension Lineup_V1_Money {
  /// Digits after the decimal point for this currency. Money carries no exponent, so this is
  /// lineupctl's assumption: 0 for JPY, KRW, VND, CLP and ISK, 2 for every other code (which
  /// is wrong for ISO 4217's three-decimal currencies such as BHD, KWD or JOD; the raw minor
  /// units are printed beside the decimal so the amount is never ambiguous).
  static func decimals(of currencyCode: String) -> Int {
    ["JPY", "KRW", "VND", "CLP", "ISK"].contains(currencyCode.uppercased()) ? 0 : 2
  }

  /// "19.99 USD".
  var formatted: String {
    "\(FixedPoint.format(minorUnits, decimals: Self.decimals(of: currencyCode))) \(currencyCode)"
  }
}

/// Two ASCII letters, upper-cased: the form Lineup's RequestContext.country takes.
func countryCode(_ text: String, option: String) throws -> String {
  guard text.count == 2, text.allSatisfy({ $0.isASCII && $0.isLetter }) else {
    throw ValidationError("\(option) must be an ISO 3166-1 alpha-2 code such as BR or US, got \"\(text)\"")
  }
  return text.uppercased()
}

// MARK: - Provenance and reasons (recs, explain, price)

extension Lineup_V1_Source {
  /// The name as the proto spells it, without the enum prefix (UNRECOGNIZED values keep their number).
  var label: String {
    switch self {
    case .unspecified: "UNSPECIFIED"
    case .model: "MODEL"
    case .cache: "CACHE"
    case .fallback: "FALLBACK"
    case .UNRECOGNIZED(let value): "SOURCE_\(value)"
    }
  }
}

extension Lineup_V1_FallbackReason {
  /// The name as the proto spells it, without the enum prefix (UNRECOGNIZED values keep their number).
  var label: String {
    switch self {
    case .unspecified: "UNSPECIFIED"
    case .baselineOnly: "BASELINE_ONLY"
    case .noCandidates: "NO_CANDIDATES"
    case .storeUnavailable: "STORE_UNAVAILABLE"
    case .breakerOpen: "BREAKER_OPEN"
    case .deadline: "DEADLINE"
    case .flagOff: "FLAG_OFF"
    case .shadow: "SHADOW"
    case .UNRECOGNIZED(let value): "FALLBACK_REASON_\(value)"
    }
  }
}

extension Lineup_V1_FallbackLevel {
  /// The name as the proto spells it, without the enum prefix (UNRECOGNIZED values keep their number).
  var label: String {
    switch self {
    case .unspecified: "UNSPECIFIED"
    case .countryLive: "COUNTRY_LIVE"
    case .countryFile: "COUNTRY_FILE"
    case .global: "GLOBAL"
    case .UNRECOGNIZED(let value): "FALLBACK_LEVEL_\(value)"
    }
  }
}

extension Lineup_V1_FlagResult {
  /// The name as the proto spells it, without the enum prefix (UNRECOGNIZED values keep their number).
  var label: String {
    switch self {
    case .unspecified: "UNSPECIFIED"
    case .on: "ON"
    case .off: "OFF"
    case .shadow: "SHADOW"
    case .UNRECOGNIZED(let value): "FLAG_RESULT_\(value)"
    }
  }
}

extension Lineup_V1_Provenance {
  /// The lines that say how an answer was produced: source (with the fallback reason and
  /// level when it is a fallback), model version, variant, flag decision, request id, and one
  /// line per guardrail that ran.
  var summaryLines: [String] {
    var source = self.source.label
    if self.source == .fallback { source += " (\(fallbackReason.label), \(fallbackLevel.label))" }
    if cacheHit && self.source != .cache { source += " (cache hit)" }
    var parts = ["source \(source)", "model \(modelVersion.isEmpty ? "-" : modelVersion)"]
    parts.append("variant \(variant.isEmpty ? "-" : variant)")
    parts.append(hasFlag ? "flag \(flag.flag)=\(flag.result.label) (\(flag.reason))" : "flag -")
    parts.append("request \(requestID.isEmpty ? "-" : requestID)")
    if hasComputedAt { parts.append("computed \(computedAt.iso8601)") }
    if ttlSec > 0 { parts.append("ttl \(ttlSec)s") }
    var lines = ["provenance: " + parts.joined(separator: ", ")]
    for guardrail in guardrails {
      var line = "guardrail \(guardrail.name): \(guardrail.adjustments) adjustment(s)"
      if !guardrail.satisfied { line += ", NOT satisfied" }
      if !guardrail.detail.isEmpty { line += ": \(guardrail.detail)" }
      lines.append(line)
    }
    return lines
  }
}

/// A table of reasons: code, weight, and the text a person reads.
func reasonsTable(_ reasons: [Lineup_V1_Reason]) -> TextTable {
  var table = TextTable(["code", "weight", "text"], rightAligned: [1])
  for reason in reasons { table.append([reason.code, decimal(reason.weight), reason.text]) }
  return table
}
