import Synchronization

/// Runs writes that must not sit on the request path (response-cache fills, feed-session
/// updates) in the background: `submit` returns at once; `run()` executes queued writes with
/// bounded concurrency until `finish()`, then drains what is left (graceful shutdown
/// flushes). When the queue is full a write is dropped and counted — a cache fill is an
/// optimization, never worth blocking a request or growing memory without bound.
package final class WriteBehindQueue: Sendable {
  /// One background write.
  package typealias Write = @Sendable () async -> Void

  private let stream: AsyncStream<Write>
  private let continuation: AsyncStream<Write>.Continuation
  private let maxConcurrentWrites: Int
  private let droppedCount = Atomic<Int>(0)
  private let completedCount = Atomic<Int>(0)

  /// - Parameters:
  ///   - capacity: writes that may wait; more are dropped. Default 10,000.
  ///   - maxConcurrentWrites: writes in flight at once. Default 32.
  package init(capacity: Int = 10_000, maxConcurrentWrites: Int = 32) {
    (stream, continuation) = AsyncStream.makeStream(of: Write.self, bufferingPolicy: .bufferingOldest(max(1, capacity)))
    self.maxConcurrentWrites = max(1, maxConcurrentWrites)
  }

  /// Queues a write; false when it was dropped (queue full or finished).
  @discardableResult
  package func submit(_ write: @escaping Write) -> Bool {
    switch continuation.yield(write) {
    case .enqueued: return true
    case .dropped, .terminated: droppedCount.add(1, ordering: .relaxed); return false
    @unknown default: return false
    }
  }

  /// Writes dropped so far.
  package var dropped: Int { droppedCount.load(ordering: .relaxed) }
  /// Writes run so far.
  package var completed: Int { completedCount.load(ordering: .relaxed) }

  /// Stops accepting writes; `run()` returns once the queued ones are done.
  package func finish() { continuation.finish() }

  /// Executes writes until `finish()` and the queue is empty.
  package func run() async {
    await withDiscardingTaskGroup { group in
      // Concurrency is bounded with a counter of in-flight writes, each signalling its end.
      let (ends, endContinuation) = AsyncStream.makeStream(of: Void.self)
      var endIterator = ends.makeAsyncIterator()
      var running = 0
      for await write in stream {
        if running >= maxConcurrentWrites {
          _ = await endIterator.next()
          running -= 1
        }
        running += 1
        group.addTask {
          await write()
          self.completedCount.add(1, ordering: .relaxed)
          endContinuation.yield()
        }
      }
      endContinuation.finish()
    }
  }
}
