package import Logging
import Synchronization

/// A log handler that keeps every record in memory, so tests can assert on what was logged
/// (and on what must never be, such as a raw user id).
package struct RecordingLogHandler: LogHandler {
  /// One captured log line.
  package struct Record: Sendable {
    package var level: Logger.Level
    package var message: String
    package var metadata: [String: String]
  }

  /// Shared storage of one handler and its copies.
  package final class Storage: Sendable {
    private let records = Mutex<[Record]>([])
    package init() {}
    package var all: [Record] { records.withLock { $0 } }
    func append(_ record: Record) { records.withLock { $0.append(record) } }
  }

  package let storage: Storage
  package var metadata: Logger.Metadata = [:]
  package var logLevel: Logger.Level

  package init(storage: Storage, logLevel: Logger.Level = .trace) {
    self.storage = storage
    self.logLevel = logLevel
  }

  package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  package func log(event: LogEvent) {
    let merged = metadata.merging(event.metadata ?? [:]) { $1 }
    storage.append(Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
  }
}
