package import Foundation

/// Writes a fallback-data directory (docs in fallback-data/README.md) for a dataset: its
/// catalog, and popularity by country and globally counted over the training events only —
/// what the offline baseline job would have produced at the cut. The in-process server the
/// evaluation starts loads it, so the baselines know the synthetic catalog and nothing of
/// the held-out future.
package enum BaselineFiles {
  /// Rows per popularity file.
  package static let depth = 500

  package static func write(_ dataset: SyntheticDataset, train: [EvalEvent], to directory: URL) throws {
    let manager = FileManager.default
    let popularity = directory.appendingPathComponent("popularity")
    try manager.createDirectory(at: popularity, withIntermediateDirectories: true)
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    var catalog = "item_id,creator_id,category,created_at,new_creator\n"
    for item in dataset.items.sorted(by: { $0.id < $1.id }) {
      let created = formatter.string(from: Date(timeIntervalSince1970: item.createdAt.rounded(.down)))
      catalog += "\(item.id),\(item.creatorID),\(item.category),\(created),\(item.isNewCreator ? 1 : 0)\n"
    }
    try catalog.write(to: directory.appendingPathComponent("catalog.csv"), atomically: true, encoding: .utf8)

    var counts: [String: [String: Int]] = [:]
    for event in train {
      counts[event.country, default: [:]][event.itemID, default: 0] += 1
      counts["global", default: [:]][event.itemID, default: 0] += 1
    }
    for (country, items) in counts {
      let ranked = items.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(depth)
      let top = Double(ranked.first?.value ?? 1)
      var file = "item_id,score\n"
      for (item, count) in ranked { file += "\(item),\(String(format: "%.4f", Double(count) / top))\n" }
      try file.write(to: popularity.appendingPathComponent("\(country).csv"), atomically: true, encoding: .utf8)
    }
  }
}
