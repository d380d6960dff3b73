package import Logging
package import ServiceLifecycle

/// Runs a listening `Service` (the gRPC server, the probe HTTP endpoint), after the services
/// it depends on, in one ServiceGroup for the duration of `body`: waits for the bound port,
/// hands it to `body`, then shuts the group down gracefully and waits for it to return.
package enum ListeningServiceHarness {
  package static func with<T: Sendable>(
    logger: Logger,
    dependencies: [any Service] = [],
    service makeService: (_ onListening: @escaping @Sendable (Int) -> Void) -> any Service,
    _ body: (_ port: Int, _ group: ServiceGroup) async throws -> T
  ) async throws -> T {
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let group = ServiceGroup(
      services: dependencies + [makeService { port in
        portContinuation.yield(port)
        portContinuation.finish()
      }],
      logger: logger
    )
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask {
        // Ends the port stream if the service stops before listening (e.g. bind failure).
        defer { portContinuation.finish() }
        try await group.run()
      }
      defer { tasks.cancelAll() }
      var iterator = ports.makeAsyncIterator()
      guard let port = await iterator.next() else {
        throw TestingError("the service stopped before it was listening")
      }
      do {
        let result = try await body(port, group)
        await group.triggerGracefulShutdown()
        try await tasks.next()
        return result
      } catch {
        await group.triggerGracefulShutdown()
        throw error
      }
    }
  }
}
