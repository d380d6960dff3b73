package import GRPCCore

/// Reads the caller's deadline from the `grpc-timeout` request header (gRPC over HTTP/2:
/// up to 8 ASCII digits and a unit — H, M, S, m, u or n). grpc-swift-2 enforces the timeout
/// by cancelling the handler but does not hand it to the handler, and Lineup needs it to
/// size its store calls (`RequestBudget`).
package enum GRPCTimeout {
  /// The timeout in `metadata`, or nil when absent or malformed.
  package static func duration(in metadata: Metadata) -> Duration? {
    guard let text = metadata[stringValues: "grpc-timeout"].first(where: { _ in true }) else { return nil }
    return parse(text)
  }

  /// Parses one header value.
  package static func parse(_ text: String) -> Duration? {
    let utf8 = Array(text.utf8)
    guard (2...9).contains(utf8.count), let unit = utf8.last else { return nil }
    let digits = utf8.dropLast()
    guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
      let amount = Int64(String(decoding: digits, as: UTF8.self))
    else { return nil }
    switch unit {
    case UInt8(ascii: "H"): return .seconds(amount * 3_600)
    case UInt8(ascii: "M"): return .seconds(amount * 60)
    case UInt8(ascii: "S"): return .seconds(amount)
    case UInt8(ascii: "m"): return .milliseconds(amount)
    case UInt8(ascii: "u"): return .microseconds(amount)
    case UInt8(ascii: "n"): return .nanoseconds(amount)
    default: return nil
    }
  }
}
