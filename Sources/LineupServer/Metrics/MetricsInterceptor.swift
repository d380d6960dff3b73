package import GRPCCore

/// Times every RPC from the moment it reaches the interceptors to the moment its response is
/// written (or it fails), and records it by service, method and gRPC status code
/// (`lineup_rpc_duration_seconds`). First in the chain, so time spent in the other
/// interceptors — authentication refusals among them — is counted too.
package struct MetricsInterceptor: ServerInterceptor {
  private let metrics: LineupMetrics

  package init(metrics: LineupMetrics) {
    self.metrics = metrics
  }

  package func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let started = ContinuousClock.now
    let metrics = self.metrics
    let service = context.descriptor.service.fullyQualifiedService
    let method = context.descriptor.method
    @Sendable func record(_ code: RPCError.Code?) {
      metrics.recordRPC(service: service, method: method, code: Self.statusName(code), duration: .now - started)
    }
    var response: StreamingServerResponse<Output>
    do {
      response = try await next(request, context)
    } catch {
      record(RPCError.Code(of: error))
      throw error
    }
    switch response.accepted {
    case .failure(let error):
      record(error.code)
    case .success(var contents):
      // The handler's work for a unary RPC is done by now, but the message is written by the
      // producer: the RPC ends when it returns.
      let producer = contents.producer
      contents.producer = { writer in
        do {
          let trailers = try await producer(writer)
          record(nil)
          return trailers
        } catch {
          record(RPCError.Code(of: error))
          throw error
        }
      }
      response.accepted = .success(contents)
    }
    return response
  }

  /// The canonical status name ("OK", "INVALID_ARGUMENT" …), as gRPC's own metrics spell it;
  /// nil is OK.
  static func statusName(_ code: RPCError.Code?) -> String {
    guard let code else { return "OK" }
    switch code {
    case .cancelled: return "CANCELLED"
    case .unknown: return "UNKNOWN"
    case .invalidArgument: return "INVALID_ARGUMENT"
    case .deadlineExceeded: return "DEADLINE_EXCEEDED"
    case .notFound: return "NOT_FOUND"
    case .alreadyExists: return "ALREADY_EXISTS"
    case .permissionDenied: return "PERMISSION_DENIED"
    case .resourceExhausted: return "RESOURCE_EXHAUSTED"
    case .failedPrecondition: return "FAILED_PRECONDITION"
    case .aborted: return "ABORTED"
    case .outOfRange: return "OUT_OF_RANGE"
    case .unimplemented: return "UNIMPLEMENTED"
    case .internalError: return "INTERNAL"
    case .unavailable: return "UNAVAILABLE"
    case .dataLoss: return "DATA_LOSS"
    case .unauthenticated: return "UNAUTHENTICATED"
    default: return "UNKNOWN"
    }
  }
}
