package import Foundation

/// Paths into the repository that tests use.
package enum Fixtures {
  /// The repository root, found from this file's location (Sources/LineupTesting/…).
  package static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Fixtures.swift
    .deletingLastPathComponent()  // LineupTesting
    .deletingLastPathComponent()  // Sources

  /// The demo fallback data shipped in fallback-data/.
  package static var fallbackDataDirectory: String {
    repositoryRoot.appendingPathComponent("fallback-data").path
  }
}
