/// A Redis reply as a Swift value. Bulk strings stay bytes (Redis values are binary);
/// hiredis 0.14 reports both the null bulk string and the null array as `.null`.
package enum RESPValue: Sendable, Hashable {
  /// `+OK`
  case status(String)
  /// `-ERR message`
  case error(String)
  /// `:42`
  case integer(Int64)
  /// `$3\r\nfoo`
  case bulk([UInt8])
  /// `$-1` or `*-1`
  case null
  /// `*2 …`
  case array([RESPValue])

  /// The bulk or status payload as UTF-8 text; nil for other kinds.
  package var string: String? {
    switch self {
    case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
    case .status(let text): text
    default: nil
    }
  }

  /// The integer payload; nil for other kinds.
  package var integer: Int64? {
    if case .integer(let value) = self { return value }
    return nil
  }

  /// The elements of an array reply; nil for other kinds.
  package var array: [RESPValue]? {
    if case .array(let values) = self { return values }
    return nil
  }
}
