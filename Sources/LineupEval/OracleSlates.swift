/// A ceiling for the planted structure, computed offline and never served: each user's
/// slate is the most popular items (counted over the training events in their country) of
/// the categories the generator planted as that user's preferences, less what they have
/// seen. No guardrails, no exploration — it knows the answer key's shape, so it shows what
/// the dataset allows rather than what a serving pipeline should reach.
package enum OracleSlates {
  package static func slates(_ dataset: SyntheticDataset, split: HoldoutSplit, k: Int = 10) -> [String: [String]] {
    let categoryOf = Dictionary(uniqueKeysWithValues: dataset.items.map { ($0.id, $0.category) })
    // country → category → items by training count, most first.
    var counts: [String: [String: Int]] = [:]
    for event in split.train { counts[event.country, default: [:]][event.itemID, default: 0] += 1 }
    var ranked: [String: [String: [String]]] = [:]
    for (country, items) in counts {
      let order = items.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
      for (item, _) in order { ranked[country, default: [:]][categoryOf[item] ?? "", default: []].append(item) }
    }
    var slates: [String: [String]] = [:]
    for user in split.relevant.keys {
      let country = dataset.countryOfUser[user] ?? ""
      let seen = split.history[user] ?? []
      let preferred = dataset.preferencesOfUser[user] ?? []
      // Interleave the preferred categories, best first in each.
      let lists = preferred.map { (ranked[country]?[$0] ?? []).filter { !seen.contains($0) } }
      var slate: [String] = []
      var depth = 0
      while slate.count < k, lists.contains(where: { depth < $0.count }) {
        for list in lists where depth < list.count && slate.count < k { slate.append(list[depth]) }
        depth += 1
      }
      slates[user] = slate
    }
    return slates
  }
}
