/// Keeps a replica's `ControlPlane` in step with the shared store: one read of the whole
/// control state per call. A failed read leaves the last known state in force and marks it
/// stale (ListFlags reports it; the log says why).
package struct ControlSync: Sendable {
  package let plane: ControlPlane
  package let store: any ControlStore
  package let now: @Sendable () -> Double

  package init(plane: ControlPlane, store: any ControlStore, now: @escaping @Sendable () -> Double) {
    self.plane = plane
    self.store = store
    self.now = now
  }

  /// Reads and applies the shared state; returns the error when the read failed.
  @discardableResult
  package func refresh(deadline: ContinuousClock.Instant) async -> (any Error)? {
    do {
      let token = plane.changeToken
      let snapshot = try await store.controlSnapshot(deadline: deadline)
      plane.apply(snapshot, at: now(), ifUnchangedSince: token)
      return nil
    } catch {
      plane.markStale("\(error)")
      return error
    }
  }
}
