package import GRPCCore
package import Logging
import Synchronization

/// Gives every RPC a request id — the caller's "x-request-id" when it is sane, otherwise a
/// fresh one — binds it and the caller's deadline (grpc-timeout) to the request scope with a
/// logger, and logs the outcome of each call at debug level (errors at notice). Nothing here
/// ever logs a raw user id.
package struct RequestIDInterceptor: ServerInterceptor {
  /// Metadata key for a caller-chosen request id.
  package static let metadataKey = "x-request-id"
  /// Longest caller-chosen id accepted; longer or non-printable ones are replaced.
  static let maxLength = 64

  private let logger: Logger
  private let generator: RequestIDGenerator

  package init(logger: Logger) {
    self.logger = logger
    self.generator = RequestIDGenerator()
  }

  package func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let arrived = ContinuousClock.now
    let requestID = Self.callerRequestID(request.metadata) ?? generator.next()
    var logger = self.logger
    logger[metadataKey: "request_id"] = "\(requestID)"
    logger[metadataKey: "rpc"] = "\(context.descriptor.fullyQualifiedMethod)"
    let scope = RequestScope(
      requestID: requestID, logger: logger, deadline: GRPCTimeout.duration(in: request.metadata).map { arrived + $0 })
    do {
      let response = try await RequestScope.$current.withValue(scope) {
        try await next(request, context)
      }
      if case .failure(let error) = response.accepted {
        logger.notice("rpc failed", metadata: ["code": "\(error.code)", "message": "\(error.message)"])
      } else {
        logger.debug("rpc accepted")
      }
      return response
    } catch {
      let code = RPCError.Code(of: error)
      logger.notice("rpc failed", metadata: ["code": "\(code)", "error": "\(error)"])
      throw error
    }
  }

  /// The caller's id when present, at most 64 bytes and printable ASCII.
  static func callerRequestID(_ metadata: Metadata) -> String? {
    for value in metadata[stringValues: metadataKey] {
      guard !value.isEmpty, value.utf8.count <= maxLength,
        value.utf8.allSatisfy({ (0x21...0x7e).contains($0) })
      else { return nil }
      return value
    }
    return nil
  }
}

/// Request ids unique within a process and unlikely to collide across replicas:
/// a random per-process prefix and a counter. Cheaper than a UUID per request.
final class RequestIDGenerator: Sendable {
  private let prefix: String
  private let counter = Atomic<UInt64>(0)

  init() {
    let random = UInt64.random(in: 0...UInt64.max)
    prefix = String(random, radix: 36)
  }

  func next() -> String {
    let value = counter.wrappingAdd(1, ordering: .relaxed).newValue
    return "\(prefix)-\(String(value, radix: 36))"
  }
}
