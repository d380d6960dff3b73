package import GRPCCore
package import GRPCProtobuf
package import LineupCore

extension LineupError {
  /// The gRPC status this error becomes at the service edge. INVALID_ARGUMENT carries a
  /// google.rpc.BadRequest with one field violation per problem, for clients that unpack
  /// details; the message alone already names every field, for those that do not.
  package var rpcStatus: GoogleRPCStatus {
    var details: [ErrorDetails] = []
    if !violations.isEmpty {
      details.append(
        .badRequest(violations: violations.map { .init(field: $0.field, description: $0.description) }))
    }
    return GoogleRPCStatus(code: rpcCode, message: message, details: details)
  }

  private var rpcCode: RPCError.Code {
    switch code {
    case .invalidArgument: .invalidArgument
    case .resourceExhausted: .resourceExhausted
    case .unavailable: .unavailable
    case .unimplemented: .unimplemented
    case .notFound: .notFound
    default: .internalError
    }
  }
}

/// Runs a handler body, turning the domain's errors into gRPC statuses.
func mappingDomainErrors<T>(_ body: () async throws -> T) async throws -> T {
  do {
    return try await body()
  } catch let error as LineupError {
    throw error.rpcStatus
  }
}

/// The status for an RPC of the contract that this build does not implement yet.
func notImplemented(_ capability: String) -> RPCError {
  RPCError(
    code: .unimplemented,
    message: "\(capability) is not implemented in this build of Lineup yet"
  )
}

extension RPCError.Code {
  /// The status an error thrown by a handler or interceptor ends the RPC with, as the gRPC
  /// server will send it: its own code for an RPCError or a convertible error, UNKNOWN
  /// otherwise.
  package init(of error: any Error) {
    self = (error as? RPCError)?.code ?? (error as? any RPCErrorConvertible)?.rpcErrorCode ?? .unknown
  }
}
