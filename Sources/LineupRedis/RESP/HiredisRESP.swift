import CHiredis
package import NIOCore

// All of LineupRedis' C pointer code lives in this file: hiredis formats commands and parses
// replies; every hiredis return code is mapped to a RedisError; every reply object is
// converted to a RESPValue and freed right where it was obtained.

/// Puts commands on the wire. A `RedisCommand` holds its RESP encoding already, so this is
/// the check that it is a command at all and one copy; tests hold the encoding to hiredis'
/// own `redisFormatCommandArgv`.
package enum RESPCommandFormatter {
  /// The RESP bytes of `command`.
  package static func format(_ command: RedisCommand) throws(RedisError) -> [UInt8] {
    try check(command)
    return command.resp
  }

  /// Appends the RESP bytes of `command` to `buffer`: the one copy between the command and
  /// the socket write (the hot path).
  package static func format(_ command: RedisCommand, into buffer: inout ByteBuffer) throws(RedisError) {
    try check(command)
    buffer.writeBytes(command.resp)
  }

  private static func check(_ command: RedisCommand) throws(RedisError) {
    guard command.argumentCount > 0 else { throw RedisError(.invalidArgument, "a command needs at least its name") }
  }
}

/// Parses a stream of RESP bytes into replies with one hiredis `redisReader`, which this
/// object owns for its whole life. Not thread-safe: one connection's handler owns one reader.
/// After a protocol error the reader is unusable (hiredis keeps the error), as is the
/// connection: the caller closes it.
///
/// hiredis parses; the values are built straight into `RESPValue`s by the reader's "reply
/// object functions" (`ReplyBuilder`), so no hiredis reply objects are allocated, copied,
/// converted and freed per reply: the only allocation left for a bulk reply is its `[UInt8]`.
package final class RESPReplyReader {
  private let reader: UnsafeMutablePointer<redisReader>
  /// The callback table hiredis keeps a pointer to; it lives as long as the reader.
  private let functions: UnsafeMutablePointer<redisReplyObjectFunctions>
  /// Where the callbacks put what they build; the reader's `privdata` points at it, unretained,
  /// which is safe because this object keeps it alive for as long as the reader exists.
  private let builder = ReplyBuilder()

  package init() throws(RedisError) {
    functions = .allocate(capacity: 1)
    functions.initialize(to: ReplyBuilder.callbacks)
    guard let reader = redisReaderCreateWithFunctions(functions) else {
      functions.deallocate()
      throw RedisError(.protocolError, "hiredis could not create a reply reader (out of memory)")
    }
    reader.pointee.privdata = Unmanaged.passUnretained(builder).toOpaque()
    self.reader = reader
  }

  deinit {
    // hiredis hands a half-built reply to `freeObject`, a no-op: the builder owns the values.
    redisReaderFree(reader)
    functions.deallocate()
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
    // hiredis returns the root's object (the builder's marker) once the reply is complete.
    guard raw != nil else { return nil }
    guard let value = builder.completed else {
      throw RedisError(.protocolError, "hiredis finished a reply the builder did not see")
    }
    builder.completed = nil
    return value
  }

  private func readerError() -> RedisError {
    if let failure = builder.failure { return RedisError(.protocolError, failure) }
    let message = withUnsafeBytes(of: reader.pointee.errstr) { bytes in
      String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
    return RedisError(.protocolError, message.isEmpty ? "invalid RESP from server" : message)
  }
}

/// Receives hiredis' parse callbacks for one reader and assembles the `RESPValue`s: scalars
/// complete at once, arrays collect their elements (hiredis delivers them depth first, in
/// order) until full. Each callback returns a non-nil marker (this object's address) because
/// hiredis only checks the pointer for nil (out of memory); returning nil stops the parse.
private final class ReplyBuilder {
  /// One array being filled.
  private struct OpenArray {
    var elements: [RESPValue]
    let count: Int
  }

  /// Arrays being filled, innermost last.
  private var open: [OpenArray] = []
  /// The last complete top-level reply, taken by `RESPReplyReader.next()`.
  var completed: RESPValue?
  /// Why a callback refused (the parse then fails with hiredis' "out of memory").
  var failure: String?

  /// Element storage reserved up front at most: the count comes off the wire.
  private static let reserveLimit = 1024

  static let callbacks = redisReplyObjectFunctions(
    createString: { task, string, length in
      guard let task else { return nil }
      let bytes = length > 0 && string != nil ? [UInt8](UnsafeRawBufferPointer(start: string, count: length)) : []
      let value: RESPValue =
        switch task.pointee.type {
        case REDIS_REPLY_STATUS: .status(String(decoding: bytes, as: UTF8.self))
        case REDIS_REPLY_ERROR: .error(String(decoding: bytes, as: UTF8.self))
        default: .bulk(bytes)
        }
      return builder(task).add(value, at: task)
    },
    createArray: { task, count in
      guard let task else { return nil }
      return builder(task).openArray(count: Int(count), at: task)
    },
    createInteger: { task, value in
      guard let task else { return nil }
      return builder(task).add(.integer(Int64(value)), at: task)
    },
    createNil: { task in
      guard let task else { return nil }
      return builder(task).add(.null, at: task)
    },
    freeObject: { _ in }
  )

  private static func builder(_ task: UnsafePointer<redisReadTask>) -> ReplyBuilder {
    Unmanaged<ReplyBuilder>.fromOpaque(task.pointee.privdata).takeUnretainedValue()
  }

  /// Places a finished value: as the reply, or as the next element of the innermost open
  /// array, closing every array it fills.
  private func add(_ value: RESPValue, at task: UnsafePointer<redisReadTask>) -> UnsafeMutableRawPointer? {
    guard fits(task) else { return nil }
    var value = value
    while !open.isEmpty {
      open[open.count - 1].elements.append(value)
      guard open[open.count - 1].elements.count == open[open.count - 1].count else { return marker }
      value = .array(open.removeLast().elements)
    }
    completed = value
    return marker
  }

  private func openArray(count: Int, at task: UnsafePointer<redisReadTask>) -> UnsafeMutableRawPointer? {
    guard count > 0 else { return add(.array([]), at: task) }
    guard fits(task) else { return nil }
    var elements: [RESPValue] = []
    elements.reserveCapacity(min(count, Self.reserveLimit))
    open.append(OpenArray(elements: elements, count: count))
    return marker
  }

  /// hiredis and the builder agree on where this value goes: a top-level reply when no
  /// array is open, else the next index of the innermost one.
  private func fits(_ task: UnsafePointer<redisReadTask>) -> Bool {
    let isRoot = task.pointee.parent == nil
    let agrees = isRoot ? open.isEmpty : (open.last.map { Int(task.pointee.idx) == $0.elements.count } ?? false)
    if !agrees {
      failure = "reply structure out of step with the parser"
      open.removeAll()
    }
    return agrees
  }

  private var marker: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}
