import CHiredis

// All of LineupRedis' C pointer code lives in this file: hiredis formats commands and parses
// replies; every hiredis return code is mapped to a RedisError; every reply object is
// converted to a RESPValue and freed right where it was obtained.

/// Formats commands in RESP with hiredis' binary-safe `redisFormatCommandArgv`.
package enum RESPCommandFormatter {
  /// The RESP bytes of `command`.
  package static func format(_ command: RedisCommand) throws(RedisError) -> [UInt8] {
    let arguments = command.arguments
    guard !arguments.isEmpty else { throw RedisError(.invalidArgument, "a command needs at least its name") }
    guard arguments.count <= Int(Int32.max) else { throw RedisError(.invalidArgument, "too many arguments") }

    // One contiguous buffer holds every argument, so argv can point into it for the whole call.
    var joined: [UInt8] = []
    joined.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
    var offsets: [Int] = []
    var lengths: [Int] = []
    offsets.reserveCapacity(arguments.count)
    lengths.reserveCapacity(arguments.count)
    for argument in arguments {
      offsets.append(joined.count)
      lengths.append(argument.count)
      joined.append(contentsOf: argument)
    }
    joined.append(0)  // never empty, so baseAddress is never nil

    var target: UnsafeMutablePointer<CChar>? = nil
    let length: Int32 = joined.withUnsafeBufferPointer { buffer in
      let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
      var argv: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
      return argv.withUnsafeMutableBufferPointer { argvBuffer in
        lengths.withUnsafeBufferPointer { lengthBuffer in
          redisFormatCommandArgv(&target, Int32(arguments.count), argvBuffer.baseAddress, lengthBuffer.baseAddress)
        }
      }
    }
    guard length >= 0, let target else {
      throw RedisError(.invalidArgument, "hiredis could not format \(command) (out of memory)")
    }
    defer { redisFreeCommand(target) }
    return Array(UnsafeRawBufferPointer(start: target, count: Int(length)))
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
