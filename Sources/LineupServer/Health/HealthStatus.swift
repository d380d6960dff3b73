import Synchronization

/// The serving status of each registered gRPC service, shared by the health service, the
/// lifecycle (which flips everything to NOT_SERVING when draining) and Watch streams.
package final class HealthStatus: Sendable {
  /// Serving states of the standard health protocol.
  package enum Status: Sendable, Equatable {
    case serving
    case notServing
  }

  /// An update delivered to a watcher; `nil` status means the service is unknown.
  package typealias Updates = AsyncStream<Status?>

  private struct State {
    var statuses: [String: Status]
    var watchers: [String: [Int: Updates.Continuation]] = [:]
    var nextWatcherID = 0
    var draining = false
  }

  private let state: Mutex<State>

  /// Registers `services` (fully qualified names; "" is the whole server) as NOT_SERVING
  /// until `markAllServing()`.
  package init(services: [String]) {
    state = Mutex(State(statuses: Dictionary(uniqueKeysWithValues: (services + [""]).map { ($0, .notServing) })))
  }

  /// nil when the service is not registered.
  package func status(of service: String) -> Status? {
    state.withLock { $0.statuses[service] }
  }

  /// Every registered service's status.
  package var all: [String: Status] { state.withLock { $0.statuses } }

  /// Startup finished: everything serves. Ignored once draining began, so a SIGTERM that
  /// races startup can never flip health back to SERVING.
  package func markAllServing() {
    let draining = state.withLock { $0.draining }
    if !draining { set(.serving, draining: false) }
  }

  /// Draining: everything is NOT_SERVING, and every Watch stream gets that final update and
  /// then ends, so Watch calls do not hold the graceful shutdown open.
  package func beginDraining() {
    let continuations = set(.notServing, draining: true)
    for continuation in continuations { continuation.finish() }
  }

  /// A stream of a service's status: the current one at once, then every change. Ends when
  /// the server drains (after delivering NOT_SERVING).
  package func watch(_ service: String) -> Updates {
    let (stream, continuation) = Updates.makeStream(bufferingPolicy: .bufferingNewest(1))
    let registered: Bool = state.withLock { state in
      continuation.yield(state.statuses[service])
      if state.draining { return false }
      let id = state.nextWatcherID
      state.nextWatcherID += 1
      state.watchers[service, default: [:]][id] = continuation
      continuation.onTermination = { [weak self] _ in
        self?.state.withLock { _ = $0.watchers[service]?.removeValue(forKey: id) }
      }
      return true
    }
    if !registered { continuation.finish() }
    return stream
  }

  /// Sets every status; returns every watcher's continuation when draining (to be finished
  /// outside the lock), else an empty list.
  @discardableResult
  private func set(_ status: Status, draining: Bool) -> [Updates.Continuation] {
    state.withLock { state in
      state.draining = draining
      for service in state.statuses.keys {
        let changed = state.statuses[service] != status
        state.statuses[service] = status
        if changed {
          for continuation in state.watchers[service, default: [:]].values { continuation.yield(status) }
        }
      }
      guard draining else { return [] }
      let all = state.watchers.values.flatMap(\.values)
      state.watchers = [:]
      return all
    }
  }
}
