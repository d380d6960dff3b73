import LineupCore
import LineupRedis
import Logging
package import ServiceLifecycle

/// Keeps this replica's flags and breaker overrides in step with the shared store. It reads
/// the whole control state every `interval` (1 s by default), and at once when a change is
/// announced on the Redis channel `RedisKeys.controlChanges` (and whenever that subscription
/// is made again, since pub/sub keeps nothing for an absent listener). The announcement is
/// only a wake-up: the state itself is always read from the store, so a lost or duplicated
/// message costs nothing but a read, and the periodic read covers a subscription that died
/// without a word. Reads never overlap (a later one could otherwise be overtaken by an
/// earlier, older one); wake-ups that arrive during a read become one more read.
///
/// The same channel carries erasures of users' data (`erased:<id>`): those drop the user's
/// entries from this replica's near cache instead of waking a read. A (re)subscription
/// empties the near cache, since an erasure announced while it was away is lost too.
///
/// A failing store leaves the last known state in force (ListFlags reports it stale); the
/// first failure of a streak is logged.
package struct ControlSyncService: Service, CustomStringConvertible {
  let sync: ControlSync
  let interval: Duration
  /// Nil for the embedded store, whose one replica applies its own changes directly.
  let announcements: RedisSubscriber?
  /// Told of other replicas' erasures; nil: this replica keeps no near cache.
  let nearCache: NearCache<Slate>?
  let logger: Logger

  package var description: String { "control-sync" }

  package func run() async throws {
    let (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    await cancelWhenGracefulShutdown {
      await withDiscardingTaskGroup { group in
        group.addTask {
          while !Task.isCancelled {
            wake.yield()
            do { try await Task.sleep(for: interval) } catch { break }
          }
          wake.finish()  // shutting down: let the reader's loop end too
        }
        if let announcements {
          group.addTask { await announcements.run { event in hear(event, wake: wake) } }
        }
        group.addTask { await readOnEachWakeUp(wakeUps) }
      }
    }
  }

  /// An erasure empties the near cache of the user; anything else wakes a control read.
  private func hear(_ event: RedisSubscriber.Event, wake: AsyncStream<Void>.Continuation) {
    switch event {
    case .message(_, let payload):
      if let user = RedisKeys.erasedUser(announcedBy: payload) {
        nearCache?.forget(userID: user)
        return
      }
    case .subscribed:
      nearCache?.removeAll()
    }
    wake.yield()
  }

  private func readOnEachWakeUp(_ wakeUps: AsyncStream<Void>) async {
    var failing = false
    for await _ in wakeUps {
      if let error = await sync.refresh(deadline: .now + .seconds(2)) {
        if !failing { logger.warning("control state unreadable; keeping the last known flags and overrides", metadata: ["error": "\(error)"]) }
        failing = true
      } else {
        if failing { logger.info("control state readable again") }
        failing = false
      }
    }
  }
}
