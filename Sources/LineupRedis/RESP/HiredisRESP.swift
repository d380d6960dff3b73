import CHiredis
package import NIOCore

// All of LineupRedis' C pointer code lives in this file: hiredis formats commands and parses
// replies; every hiredis return code is mapped to a RedisError; every reply object is
// converted to a RESPValue and freed right where it was obtained.

/// Formats commands in RESP with hiredis' binary-safe `redisFormatCommandArgv`.
package enum RESPCommandFormatter {
  /// The RESP bytes of `command`.
  package static func format(_ command: RedisCommand) throws(RedisError) -> [UInt8] {
    try withFormatted(command) { Array($0) }
  }

  /// Appends the RESP bytes of `command` to `buffer`: the one copy between hiredis' output and
  /// the socket write (the hot path).
  package static func format(_ command: RedisCommand, into buffer: inout ByteBuffer) throws(RedisError) {
    try withFormatted(command) { buffer.writeBytes($0) }
  }

  /// Lends hiredis' formatting of `command` to `body`, then frees it.
  private static func withFormatted<Result>(
    _ command: RedisCommand, _ body: (UnsafeRawBufferPointer) -> Result
  ) throws(RedisError) -> Result {
    let arguments = command.arguments
    guard !arguments.isEmpty else { throw RedisError(.invalidArgument, "a command needs at least its name") }
    guard arguments.count <= Int(Int32.max) else { throw RedisError(.invalidArgument, "too many arguments") }

    // argv must point at every argument for the whole call, so the arguments are copied into
    // one contiguous scratch area; it, argv and the lengths are temporary allocations (on the
    // stack for everyday commands), so formatting costs no Swift heap allocation.
    let totalBytes = arguments.reduce(0) { $0 + $1.count }
    var target: UnsafeMutablePointer<CChar>? = nil
    let length: Int32 = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(totalBytes, 1)) { joined in
      withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: arguments.count) { argv in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: arguments.count) { lengths in
          var offset = 0
          for (index, argument) in arguments.enumerated() {
            let start = joined.baseAddress! + offset
            argument.withUnsafeBufferPointer { bytes in
              if let source = bytes.baseAddress { start.update(from: source, count: bytes.count) }
            }
            argv[index] = UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self)
            lengths[index] = argument.count
            offset += argument.count
          }
          return redisFormatCommandArgv(&target, Int32(arguments.count), argv.baseAddress, lengths.baseAddress)
        }
      }
    }
    guard length >= 0, let target else {
      throw RedisError(.invalidArgument, "hiredis could not format \(command) (out of memory)")
    }
    defer { redisFreeCommand(target) }
    return body(UnsafeRawBufferPointer(start: target, count: Int(length)))
  }
}

/// Parses a stream of RESP bytes into replies with one hiredis `redisReader`, which this
/// object owns for its whole life. Not thread-safe: one connection's handler owns one reader.
/// After a protocol error the reader is unusable (hiredis keeps the error), as is the
/// connection: the caller closes it.
package final class RESPReplyReader {
  private let reader: UnsafeMutablePointer<redisReader>

  package init() throws(RedisError) {
    guard let reader = redisReaderCreate() else {
      throw RedisError(.protocolError, "hiredis could not create a reply reader (out of memory)")
    }
    self.reader = reader
  }

  deinit {
    redisReaderFree(reader)
  }

  /// Appends received bytes.
  package func feed(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    guard redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count) == REDIS_OK else {
      throw readerError()
    }
  }

  /// The next complete reply, or nil when more bytes are needed.
  package func next() throws(RedisError) -> RESPValue? {
    var raw: UnsafeMutableRawPointer? = nil
    guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw readerError() }
    guard let raw else { return nil }
    defer { freeReplyObject(raw) }
    return try Self.convert(raw.assumingMemoryBound(to: redisReply.self))
  }

  private func readerError() -> RedisError {
    let message = withUnsafeBytes(of: reader.pointee.errstr) { bytes in
      String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
    return RedisError(.protocolError, message.isEmpty ? "invalid RESP from server" : message)
  }

  private static func convert(_ reply: UnsafeMutablePointer<redisReply>) throws(RedisError) -> RESPValue {
    let value = reply.pointee
    switch value.type {
    case REDIS_REPLY_STRING:
      return .bulk(bytes(value.str, value.len))
    case REDIS_REPLY_STATUS:
      return .status(String(decoding: bytes(value.str, value.len), as: UTF8.self))
    case REDIS_REPLY_ERROR:
      return .error(String(decoding: bytes(value.str, value.len), as: UTF8.self))
    case REDIS_REPLY_INTEGER:
      return .integer(Int64(value.integer))
    case REDIS_REPLY_NIL:
      return .null
    case REDIS_REPLY_ARRAY:
      var elements: [RESPValue] = []
      elements.reserveCapacity(value.elements)
      for index in 0..<value.elements {
        guard let element = value.element[index] else {
          throw RedisError(.protocolError, "array reply with a missing element")
        }
        elements.append(try convert(element))
      }
      return .array(elements)
    default:
      throw RedisError(.protocolError, "unknown hiredis reply type \(value.type)")
    }
  }

  private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
    guard let pointer, length > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: length))
  }
}
