import Foundation
import Testing

@testable import LineupCore

@Suite("Fallback data loading from disk")
struct FallbackDataLoaderTests {
  /// The repository's fallback-data/, found from this file's location.
  static let shippedDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fallback-data").path

  private func makeDirectory(_ files: [String: String]) throws -> String {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("lineup-fallback-\(UUID().uuidString)")
    for (path, content) in files {
      let url = root.appendingPathComponent(path)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try content.write(to: url, atomically: true, encoding: .utf8)
    }
    return root.path
  }

  @Test("the shipped demo data loads without a single warning")
  func shippedData() {
    let data = FallbackDataLoader.load(directory: Self.shippedDirectory)
    #expect(data.warnings.isEmpty, "\(data.warnings)")
    #expect(data.catalog.count >= 1000)
    #expect(data.countries.count >= 20)
    #expect(data.global.count >= 100)
    #expect(data.catalog.values.contains { $0.isNewCreator })
    #expect(data.version.hasPrefix("fallback:"))
  }

  @Test("a missing directory loads as empty data with a warning, never a crash")
  func missingDirectory() {
    let data = FallbackDataLoader.load(directory: "/nonexistent/lineup-\(UUID().uuidString)")
    #expect(data.catalog.isEmpty)
    #expect(data.global.isEmpty)
    #expect(data.warnings.map(\.file) == ["catalog.csv"])
  }

  @Test("badly named files are skipped; a missing global list is reported; the version follows the content")
  func namesAndVersion() throws {
    let catalog = "item_id,creator_id,category,created_at,new_creator\nit-1,cr-1,music,2026-10-03T14:05:00Z,0\n"
    let directory = try makeDirectory([
      "catalog.csv": catalog,
      "popularity/BR.csv": "item_id,score\nit-1,1\n",
      "popularity/br.csv": "item_id,score\nit-1,1\n",
      "popularity/Brazil.csv": "item_id,score\nit-1,1\n",
    ])
    let data = FallbackDataLoader.load(directory: directory)
    #expect(Array(data.countries.keys) == [CountryCode("BR")!])
    #expect(Set(data.warnings.map(\.file)) == ["popularity/Brazil.csv", "popularity/br.csv", "popularity/global.csv"])

    let changed = try makeDirectory([
      "catalog.csv": catalog,
      "popularity/BR.csv": "item_id,score\nit-1,0.5\n",
    ])
    #expect(FallbackDataLoader.load(directory: changed).version != data.version)
    #expect(FallbackDataLoader.load(directory: directory).version == data.version)
  }
}
