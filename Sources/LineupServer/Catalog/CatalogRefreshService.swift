import LineupCore
import Logging
package import ServiceLifecycle

/// Keeps this replica's in-memory catalog current with the shared store: every `interval`
/// it reads the catalog version (one small read) and applies what changed. A failing store
/// leaves the last snapshot in place; the first failure of a streak is logged, the rest
/// would flood the log.
package struct CatalogRefreshService: Service, CustomStringConvertible {
  let sync: CatalogSync
  let interval: Duration
  let logger: Logger

  package var description: String { "catalog-refresh" }

  package func run() async throws {
    await cancelWhenGracefulShutdown {
      var failing = false
      while !Task.isCancelled {
        do {
          let applied = try await sync.refresh(deadline: .now + .seconds(5))
          if applied > 0 {
            logger.info("catalog updated", metadata: ["items": "\(applied)", "version": "\(sync.holder.ingestedVersion)"])
          }
          if failing { logger.info("catalog refresh recovered") }
          failing = false
        } catch {
          if !failing { logger.warning("catalog refresh failed; serving the last snapshot", metadata: ["error": "\(error)"]) }
          failing = true
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
