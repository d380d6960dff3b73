package import Logging

/// Per-request values the interceptor sets and every handler reads: the request id, a logger
/// that carries it, and the caller's deadline. A task-local, because grpc-swift-2's simple
/// handlers see no metadata, and threading it through every signature would only add noise.
/// Bound around the handler call: unary handlers run inside it; the body of a server-streaming
/// response (health Watch) may run after the interceptor returns and must not rely on it.
package struct RequestScope: Sendable {
  package var requestID: String
  package var logger: Logger
  /// When the caller gives up (from its `grpc-timeout`); nil when it sent none.
  package var deadline: ContinuousClock.Instant?

  package init(requestID: String, logger: Logger, deadline: ContinuousClock.Instant? = nil) {
    self.requestID = requestID
    self.logger = logger
    self.deadline = deadline
  }

  @TaskLocal package static var current: RequestScope?
}
