import Foundation
package import GRPCCore
import LineupWire

/// Guards lineup.v1.Admin: every call needs `authorization: Bearer <token>` naming a
/// configured token (UNAUTHENTICATED otherwise), and a call that changes something needs a
/// token with the admin role (PERMISSION_DENIED for a read-only one). The caller's identity
/// is bound for the handler (`AdminCaller.current`), which audits changes under it. Other
/// services pass through untouched.
package struct AdminAuthInterceptor: ServerInterceptor {
  private let tokens: [AdminToken]

  /// The Admin methods that change state.
  static let writeMethods: Set<String> = ["SetFlag", "SetBreakerOverride", "ReloadFallback", "DeleteUserData"]

  package init(tokens: [AdminToken]) {
    self.tokens = tokens
  }

  package func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    guard context.descriptor.service == Lineup_V1_Admin.descriptor else { return try await next(request, context) }
    guard !tokens.isEmpty else {
      throw RPCError(code: .unauthenticated, message: "the Admin service has no tokens configured (--admin-tokens-file or LINEUP_ADMIN_TOKEN)")
    }
    guard let presented = Self.bearer(request.metadata) else {
      throw RPCError(code: .unauthenticated, message: "send \"authorization: Bearer <token>\" metadata")
    }
    guard let token = match(presented) else {
      throw RPCError(code: .unauthenticated, message: "the bearer token is not valid")
    }
    if Self.writeMethods.contains(context.descriptor.method), !token.canWrite {
      throw RPCError(
        code: .permissionDenied, message: "\(context.descriptor.method) changes state; the token of \(token.actor) is read-only")
    }
    return try await AdminCaller.$current.withValue(AdminCaller(actor: token.actor, canWrite: token.canWrite)) {
      try await next(request, context)
    }
  }

  /// The configured token equal to `presented`. Every token is compared in full, in time
  /// that depends only on the lengths, so response times do not leak how much of a guess
  /// was right.
  func match(_ presented: String) -> AdminToken? {
    var found: AdminToken?
    for token in tokens where Self.constantTimeEqual(Array(token.secret.utf8), Array(presented.utf8)) {
      found = token
    }
    return found
  }

  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
    for index in 0..<max(a.count, b.count) {
      let x = index < a.count ? a[index] : 0
      let y = index < b.count ? b[index] : 0
      difference |= x ^ y
    }
    return difference == 0 && a.count == b.count
  }

  /// The token of `authorization: Bearer <token>` (scheme case-insensitive).
  static func bearer(_ metadata: Metadata) -> String? {
    for value in metadata[stringValues: "authorization"] {
      let parts = value.split(separator: " ", maxSplits: 1)
      if parts.count == 2, parts[0].lowercased() == "bearer" {
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        if !token.isEmpty { return token }
      }
    }
    return nil
  }
}

/// Who is calling the Admin service, bound by `AdminAuthInterceptor` around the handler.
package struct AdminCaller: Sendable {
  package var actor: String
  package var canWrite: Bool

  @TaskLocal package static var current: AdminCaller?
}
