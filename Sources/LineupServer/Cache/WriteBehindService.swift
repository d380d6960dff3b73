import LineupCore
import Logging
package import ServiceLifecycle

/// Runs the write-behind queue (response-cache fills) as a Service. It starts after the
/// Redis pool and before the gRPC server, so on shutdown the server drains first, then this
/// flushes what is queued, then the pool closes.
package struct WriteBehindService: Service, CustomStringConvertible {
  let queue: WriteBehindQueue
  let logger: Logger

  package var description: String { "write-behind" }

  package func run() async throws {
    await withGracefulShutdownHandler {
      await queue.run()
    } onGracefulShutdown: {
      queue.finish()
    }
    logger.debug("write-behind flushed", metadata: ["completed": "\(queue.completed)", "dropped": "\(queue.dropped)"])
  }
}
