/// The one error type of the domain: a code, a message that tells the caller what to fix,
/// field violations for bad input, and the underlying cause. It becomes a gRPC status only at
/// the service edge (LineupServer), never here.
package struct LineupError: Error, Sendable, CustomStringConvertible {
  /// What kind of failure this is. Extensible: a struct of static values, as GRPCCore's
  /// RPCError.Code, so adding a code never breaks a switch elsewhere.
  package struct Code: Hashable, Sendable, CustomStringConvertible {
    private enum Wrapped: Hashable, Sendable {
      case invalidArgument, resourceExhausted, unavailable, unimplemented, notFound, internalError
    }
    private let wrapped: Wrapped
    private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

    /// The request is malformed; `violations` says where.
    package static let invalidArgument = Code(.invalidArgument)
    /// A limit was hit (size, rate); retrying later may work.
    package static let resourceExhausted = Code(.resourceExhausted)
    /// A dependency needed for a durable answer is down; the caller should retry.
    package static let unavailable = Code(.unavailable)
    /// The capability is not built yet.
    package static let unimplemented = Code(.unimplemented)
    /// The thing asked about does not exist.
    package static let notFound = Code(.notFound)
    /// A bug or broken invariant on our side.
    package static let internalError = Code(.internalError)

    package var description: String { String(describing: wrapped) }
  }

  package var code: Code
  package var message: String
  package var violations: [FieldViolation]
  package var cause: (any Error)?

  package init(code: Code, message: String, violations: [FieldViolation] = [], cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.violations = violations
    self.cause = cause
  }

  /// An INVALID_ARGUMENT error whose message lists every violation, field first.
  package static func invalidArgument(_ violations: [FieldViolation]) -> LineupError {
    let summary = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
    return LineupError(code: .invalidArgument, message: "invalid request: \(summary)", violations: violations)
  }

  package var description: String {
    if let cause { return "\(code): \(message) (cause: \(cause))" }
    return "\(code): \(message)"
  }
}

/// One problem with one field of a request, in google.rpc.BadRequest terms.
package struct FieldViolation: Sendable, Equatable, CustomStringConvertible {
  /// The field's path as the caller wrote it, e.g. "context.country" or "exclude_item_ids[3]".
  package var field: String
  /// What is wrong and what would be right.
  package var description: String

  package init(field: String, description: String) {
    self.field = field
    self.description = description
  }
}
