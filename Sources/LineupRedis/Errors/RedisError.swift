/// LineupRedis' one error type: what went wrong (`code`), a message for the operator, and the
/// underlying cause. Callers map it to their own failure handling (Lineup: fallback + counter).
package struct RedisError: Error, Sendable, CustomStringConvertible {
  /// Kinds of failure. Extensible struct, as GRPCCore's RPCError.Code.
  package struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: Hashable, Sendable {
      case connectionFailed, connectionClosed, unavailable, timeout, protocolError, serverError, invalidURL,
        invalidArgument
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// Could not open a connection (refused, unreachable, handshake failed).
    package static let connectionFailed = Code(.connectionFailed)
    /// The connection closed while the command was pending; it may or may not have run.
    package static let connectionClosed = Code(.connectionClosed)
    /// No connection is up right now (the client is reconnecting); fail fast, do not wait.
    package static let unavailable = Code(.unavailable)
    /// The command's deadline passed before its reply arrived.
    package static let timeout = Code(.timeout)
    /// The server sent bytes that are not valid RESP; the connection is closed.
    package static let protocolError = Code(.protocolError)
    /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`, `-MOVED …`).
    package static let serverError = Code(.serverError)
    /// A Redis URL that cannot be used.
    package static let invalidURL = Code(.invalidURL)
    /// A command that cannot be sent (e.g. no arguments).
    package static let invalidArgument = Code(.invalidArgument)

    package var description: String { String(describing: wrapped) }
  }

  package var code: Code
  package var message: String
  package var cause: (any Error)?

  package init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  package var description: String {
    if let cause { return "redis \(code): \(message) (\(cause))" }
    return "redis \(code): \(message)"
  }
}
