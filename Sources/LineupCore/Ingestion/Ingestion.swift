package import Logging

/// The two ingestion RPCs in the domain: RecordInteractions (validate each event, then
/// record the valid ones exactly once) and UpsertItems (validate each item, store the valid
/// ones as one catalog version, and bring this replica's catalog mirror up to date at once
/// so a caller reads its own writes here; other replicas follow within their refresh
/// interval).
package struct Ingestion: Sendable {
  package let recorder: InteractionRecorder
  package let catalogStore: any CatalogStore
  package let catalogSync: CatalogSync
  package var interactionValidation = InteractionValidation()
  package var itemValidation = CatalogItemValidation()
  private let now: @Sendable () -> Double

  package init(recorder: InteractionRecorder, catalogStore: any CatalogStore, catalogSync: CatalogSync, now: @escaping @Sendable () -> Double) {
    self.recorder = recorder
    self.catalogStore = catalogStore
    self.catalogSync = catalogSync
    self.now = now
  }

  /// What RecordInteractions answers.
  package struct RecordResult: Sendable, Equatable {
    package var accepted: Int
    package var duplicates: Int
    package var rejections: [BatchRejection]
  }

  /// What UpsertItems answers.
  package struct UpsertResult: Sendable, Equatable {
    package var upserted: Int
    package var rejections: [BatchRejection]
    package var catalogVersion: Int64
  }

  package func recordInteractions(_ batch: [RawInteraction], deadline: ContinuousClock.Instant, logger: Logger) async throws(LineupError) -> RecordResult {
    let (valid, rejections) = try interactionValidation.validate(batch, now: now())
    guard !valid.isEmpty else { return RecordResult(accepted: 0, duplicates: 0, rejections: rejections) }
    let outcome = try await recorder.record(valid.map(\.event), deadline: deadline, logger: logger)
    return RecordResult(accepted: outcome.accepted, duplicates: outcome.duplicates, rejections: rejections)
  }

  package func upsertItems(_ batch: [RawCatalogItem], deadline: ContinuousClock.Instant, logger: Logger) async throws(LineupError) -> UpsertResult {
    let (valid, rejections) = try itemValidation.validate(batch, now: now())
    let version: Int64
    do {
      version = valid.isEmpty
        ? try await catalogStore.catalogVersion(deadline: deadline)
        : try await catalogStore.upsert(valid, deadline: deadline)
    } catch {
      throw LineupError(code: .unavailable, message: "the catalog store is unavailable; nothing was stored, retry the batch", cause: error)
    }
    do {
      try await catalogSync.refresh(deadline: deadline)
    } catch {
      // Stored: the periodic refresh picks it up; the caller's upsert succeeded.
      logger.warning("catalog mirror refresh after upsert failed", metadata: ["error": "\(error)"])
    }
    return UpsertResult(upserted: valid.count, rejections: rejections, catalogVersion: version)
  }
}
