import LineupCore
import Logging
package import ServiceLifecycle

/// Keeps this replica's flags and breaker overrides in step with the shared store: every
/// `interval` (1 s by default) it reads the whole control state, so a change made through
/// any replica is obeyed here within 2 s. A failing store leaves the last known state in
/// force (ListFlags reports it stale); the first failure of a streak is logged.
package struct ControlSyncService: Service, CustomStringConvertible {
  let sync: ControlSync
  let interval: Duration
  let logger: Logger

  package var description: String { "control-sync" }

  package func run() async throws {
    await cancelWhenGracefulShutdown {
      var failing = false
      while !Task.isCancelled {
        if let error = await sync.refresh(deadline: .now + .seconds(2)) {
          if !failing { logger.warning("control state unreadable; keeping the last known flags and overrides", metadata: ["error": "\(error)"]) }
          failing = true
        } else {
          if failing { logger.info("control state readable again") }
          failing = false
        }
        do {
          try await Task.sleep(for: interval)
        } catch {
          return  // cancelled: shutting down
        }
      }
    }
  }
}
