/// One Redis command as binary-safe arguments, e.g. `["ZADD", "key", "1.5", "member"]`,
/// held as its RESP encoding (an array of bulk strings), written once when the command is
/// made. Sending it is then one copy into the socket's buffer. (Until 2026-12-02 each argument
/// was its own `[UInt8]` and hiredis' `redisFormatCommandArgv` formatted the command per send:
/// an allocation per argument, a `malloc` and `sprintf` per command; ingest builds some 15
/// commands per event, and that was about a tenth of the server's CPU.) The arguments are
/// read back from the encoding only where a command is inspected: cluster routing, a script's
/// NOSCRIPT retry, metrics' command name.
package struct RedisCommand: Sendable, Hashable, CustomStringConvertible {
  /// The command in RESP: `*<count>\r\n` then `$<length>\r\n<bytes>\r\n` per argument.
  package let resp: [UInt8]
  /// Arguments, the command name first (0 only for the invalid empty command).
  package let argumentCount: Int

  /// A command from raw byte arguments.
  package init(bytes arguments: [[UInt8]]) {
    var resp: [UInt8] = []
    resp.reserveCapacity(arguments.reduce(Self.headerRoom) { $0 + $1.count + Self.argumentRoom })
    Self.appendHeader(arguments.count, to: &resp)
    for argument in arguments {
      Self.appendLength(argument.count, to: &resp)
      resp.append(contentsOf: argument)
      Self.appendCRLF(to: &resp)
    }
    self.resp = resp
    self.argumentCount = arguments.count
  }

  /// A command from text arguments (each encoded as UTF-8).
  package init(_ name: String, _ arguments: String...) {
    self.init(name, arguments)
  }

  /// A command from text arguments (each encoded as UTF-8).
  package init(_ name: String, _ arguments: [String]) {
    var resp: [UInt8] = []
    resp.reserveCapacity(arguments.reduce(Self.headerRoom + name.utf8.count + Self.argumentRoom) { $0 + $1.utf8.count + Self.argumentRoom })
    Self.appendHeader(arguments.count + 1, to: &resp)
    Self.append(name, to: &resp)
    for argument in arguments { Self.append(argument, to: &resp) }
    self.resp = resp
    self.argumentCount = arguments.count + 1
  }

  /// The arguments, decoded from the encoding (allocates one array per argument: not for
  /// the hot path).
  package var arguments: [[UInt8]] {
    var result: [[UInt8]] = []
    result.reserveCapacity(argumentCount)
    forEachArgument { argument in
      result.append(Array(argument))
      return true
    }
    return result
  }

  /// The argument at `index` (the command name is 0), nil past the end.
  package func argument(at index: Int) -> ArraySlice<UInt8>? {
    guard index >= 0, index < argumentCount else { return nil }
    var position = 0
    var found: ArraySlice<UInt8>?
    forEachArgument { argument in
      if position == index { found = argument }
      position += 1
      return position <= index
    }
    return found
  }

  /// The command name only: arguments may hold secrets (AUTH) or user data.
  package var description: String {
    argument(at: 0).map { String(decoding: $0, as: UTF8.self).uppercased() } ?? "<empty>"
  }

  /// Calls `body` with each argument in order while it returns true.
  private func forEachArgument(_ body: (ArraySlice<UInt8>) -> Bool) {
    // Our own encoding, so the structure is known: skip the header line, then per argument
    // read the length after `$`, take the bytes, skip the CRLF.
    var offset = Self.lineEnd(in: resp, from: 0) + 2
    for _ in 0..<argumentCount {
      let lengthEnd = Self.lineEnd(in: resp, from: offset)
      var length = 0
      for digit in resp[(offset + 1)..<lengthEnd] { length = length * 10 + Int(digit &- UInt8(ascii: "0")) }
      let start = lengthEnd + 2
      guard body(resp[start..<(start + length)]) else { return }
      offset = start + length + 2
    }
  }

  private static func lineEnd(in bytes: [UInt8], from offset: Int) -> Int {
    var index = offset
    while bytes[index] != UInt8(ascii: "\r") { index += 1 }
    return index
  }

  /// `*` plus up to 19 digits plus CRLF.
  private static let headerRoom = 22
  /// `$` plus up to 19 digits plus two CRLFs.
  private static let argumentRoom = 24

  /// Two byte appends: appending a two-byte array went through the generic sequence append
  /// (4% of the server's samples under ingest).
  @inline(__always)
  private static func appendCRLF(to resp: inout [UInt8]) {
    resp.append(UInt8(ascii: "\r"))
    resp.append(UInt8(ascii: "\n"))
  }

  private static func appendHeader(_ count: Int, to resp: inout [UInt8]) {
    resp.append(UInt8(ascii: "*"))
    appendDecimal(count, to: &resp)
    appendCRLF(to: &resp)
  }

  private static func appendLength(_ length: Int, to resp: inout [UInt8]) {
    resp.append(UInt8(ascii: "$"))
    appendDecimal(length, to: &resp)
    appendCRLF(to: &resp)
  }

  private static func append(_ text: String, to resp: inout [UInt8]) {
    appendLength(text.utf8.count, to: &resp)
    resp.append(contentsOf: text.utf8)
    appendCRLF(to: &resp)
  }

  /// A non-negative integer in decimal, without building a String.
  private static func appendDecimal(_ value: Int, to resp: inout [UInt8]) {
    guard value >= 10 else {
      resp.append(UInt8(ascii: "0") + UInt8(value))
      return
    }
    var divisor = 10
    while value / divisor >= 10 { divisor *= 10 }
    var rest = value
    while divisor > 0 {
      resp.append(UInt8(ascii: "0") + UInt8(rest / divisor))
      rest %= divisor
      divisor /= 10
    }
  }
}
