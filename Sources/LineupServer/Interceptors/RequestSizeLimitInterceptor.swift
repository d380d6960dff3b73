package import GRPCCore
import SwiftProtobuf

/// Rejects request messages larger than the configured limit with RESOURCE_EXHAUSTED, naming
/// the size and the limit.
///
/// The HTTP/2 transport has its own payload cap, but it answers an oversized message by
/// resetting the stream, which clients see as UNAVAILABLE — a status that invites a retry of
/// the very same request. So the transport's cap is set well above this limit (a memory
/// guard), and this interceptor gives callers the status the contract promises. It measures
/// the decoded message's encoded size, which for protobuf equals the wire payload size.
package struct RequestSizeLimitInterceptor: ServerInterceptor {
  private let maxBytes: Int

  package init(maxBytes: Int) {
    self.maxBytes = maxBytes
  }

  /// The transport-level cap that goes with `maxBytes`: four times it, at least 4 MiB.
  package static func transportCap(forMaxBytes maxBytes: Int) -> Int {
    max(maxBytes.multipliedReportingOverflow(by: 4).overflow ? Int.max : maxBytes * 4, 4 << 20)
  }

  package func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let maxBytes = self.maxBytes
    let checked = request.messages.map { message -> Input in
      if let proto = message as? any SwiftProtobuf.Message {
        let size = (try proto.serializedBytes() as [UInt8]).count
        if size > maxBytes {
          throw RPCError(
            code: .resourceExhausted,
            message: "request message is \(size) bytes; this server accepts at most \(maxBytes) (max-request-bytes)"
          )
        }
      }
      return message
    }
    let limited = StreamingServerRequest(metadata: request.metadata, messages: RPCAsyncSequence(wrapping: checked))
    return try await next(limited, context)
  }
}
