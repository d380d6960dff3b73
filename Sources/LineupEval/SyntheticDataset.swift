import Foundation
import LineupLoadKit

/// One catalog item of a synthetic dataset.
package struct EvalItem: Sendable, Equatable {
  package var id: String
  package var creatorID: String
  package var category: String
  /// Seconds since the epoch.
  package var createdAt: Double
  /// When the creator was first seen, seconds since the epoch.
  package var creatorFirstSeen: Double
  /// Whether the creator was planted as new (first seen days, not months, ago).
  package var isNewCreator: Bool

  package init(id: String, creatorID: String, category: String, createdAt: Double, creatorFirstSeen: Double, isNewCreator: Bool) {
    self.id = id
    self.creatorID = creatorID
    self.category = category
    self.createdAt = createdAt
    self.creatorFirstSeen = creatorFirstSeen
    self.isNewCreator = isNewCreator
  }
}

/// One interaction of a synthetic dataset.
package struct EvalEvent: Sendable, Equatable {
  package var eventID: String
  package var userID: String
  package var itemID: String
  package var country: String
  /// Seconds since the epoch.
  package var timestamp: Double
  package var watchSeconds: Double

  package init(eventID: String, userID: String, itemID: String, country: String, timestamp: Double, watchSeconds: Double) {
    self.eventID = eventID
    self.userID = userID
    self.itemID = itemID
    self.country = country
    self.timestamp = timestamp
    self.watchSeconds = watchSeconds
  }
}

/// A synthetic catalog and interaction log with planted structure, generated
/// deterministically from a `DatasetSpec` and a reference time.
///
/// What is planted, so that a recommender has something to find: every user prefers a few
/// categories (`preferenceStrength` of their session starts fall there) and keeps to a
/// category for a while (`sessionStickiness`); inside a category items
/// are Zipf-popular over a random order; each country reweights items by a log-normal
/// factor (local hits); a share of creators is new. Users never interact with an item
/// twice, so everything held out is something they have not seen.
package struct SyntheticDataset: Sendable {
  package var spec: DatasetSpec
  package var items: [EvalItem]
  /// Sorted by time.
  package var events: [EvalEvent]
  /// Each user's country.
  package var countryOfUser: [String: String]
  /// Each user's preferred categories (for reports; never sent to the server).
  package var preferencesOfUser: [String: [String]]

  package static func userID(_ index: Int) -> String { "ev-user-\(index)" }
  package static func itemID(_ index: Int) -> String { String(format: "ev-item-%05d", index) }
  package static func creatorID(_ index: Int) -> String { String(format: "ev-cr-%04d", index) }
  package static func category(_ index: Int) -> String { "cat-\(index)" }

  /// Generates the dataset; events end a minute before `now`.
  package static func generate(_ spec: DatasetSpec, now: Double) -> SyntheticDataset {
    var random = SeededRandom(seed: spec.seed)
    let end = now - 60
    let start = end - spec.spanSeconds

    // Creators: creator c publishes in category c % categories.
    let newCreator = (0..<spec.creators).map { _ in random.unit() < spec.newCreatorShare }
    let creatorFirstSeen = (0..<spec.creators).map { creator in
      newCreator[creator] ? start - (1 + random.unit() * 3) * 86_400 : start - (60 + random.unit() * 300) * 86_400
    }
    var creatorsByCategory = [[Int]](repeating: [], count: spec.categories)
    for creator in 0..<spec.creators { creatorsByCategory[creator % spec.categories].append(creator) }

    // Items: item i is in category i % categories, by a creator of that category.
    var items: [EvalItem] = []
    var itemsByCategory = [[Int]](repeating: [], count: spec.categories)
    for index in 0..<spec.items {
      let category = index % spec.categories
      let pool = creatorsByCategory[category]
      let creator = pool[Int(random.next() % UInt64(pool.count))]
      let created = max(creatorFirstSeen[creator], start - random.unit() * 30 * 86_400)
      items.append(
        EvalItem(
          id: itemID(index), creatorID: creatorID(creator), category: Self.category(category), createdAt: created,
          creatorFirstSeen: creatorFirstSeen[creator], isNewCreator: newCreator[creator]))
      itemsByCategory[category].append(index)
    }

    // Popularity: Zipf over a random order inside each category, reweighted per country.
    var globalWeight = [Double](repeating: 0, count: spec.items)
    for members in itemsByCategory {
      for (rank, item) in members.shuffled(using: &random).enumerated() {
        globalWeight[item] = 1 / pow(Double(rank + 1), spec.zipfExponent)
      }
    }
    // samplers[country][category]: cumulative weights over itemsByCategory[category].
    let samplers: [[WeightedSampler]] = spec.countries.indices.map { _ in
      itemsByCategory.map { members in
        WeightedSampler(weights: members.map { globalWeight[$0] * exp(spec.countryTasteSpread * random.gaussian()) })
      }
    }

    var events: [EvalEvent] = []
    var countryOfUser: [String: String] = [:]
    var preferencesOfUser: [String: [String]] = [:]
    for user in 0..<spec.users {
      let id = userID(user)
      let countryIndex = user % spec.countries.count
      let country = spec.countries[countryIndex]
      countryOfUser[id] = country
      let preferred = Array((0..<spec.categories).shuffled(using: &random).prefix(spec.preferredCategories))
      preferencesOfUser[id] = preferred.map(category)
      let count = spec.minEventsPerUser + Int(random.next() % UInt64(spec.maxEventsPerUser - spec.minEventsPerUser + 1))
      var seen = Set<Int>()
      var times = (0..<count).map { _ in start + random.unit() * spec.spanSeconds }
      times.sort()
      var previousCategory: Int?
      for time in times {
        var item = -1
        let stay = previousCategory != nil && random.unit() < spec.sessionStickiness
        // A user never repeats an item: redraw a few times, then take any unseen one.
        var category = 0
        for _ in 0..<20 {
          category =
            if stay, let previousCategory { previousCategory } else if random.unit() < spec.preferenceStrength {
              preferred[Int(random.next() % UInt64(preferred.count))]
            } else { Int(random.next() % UInt64(spec.categories)) }
          let members = itemsByCategory[category]
          let candidate = members[samplers[countryIndex][category].sample(random.unit())]
          if !seen.contains(candidate) {
            item = candidate
            break
          }
        }
        // Popular items run out in a long session: take the category's next unseen one.
        if item < 0 { item = itemsByCategory[category].first { !seen.contains($0) } ?? -1 }
        if item < 0 { item = (0..<spec.items).first { !seen.contains($0) } ?? 0 }
        seen.insert(item)
        previousCategory = item % spec.categories
        events.append(
          EvalEvent(
            eventID: "ev-\(spec.seed)-\(events.count)", userID: id, itemID: itemID(item), country: country, timestamp: time,
            watchSeconds: Double(5 + random.next() % 120)))
      }
    }
    events.sort { $0.timestamp < $1.timestamp || ($0.timestamp == $1.timestamp && $0.eventID < $1.eventID) }
    return SyntheticDataset(
      spec: spec, items: items, events: events, countryOfUser: countryOfUser, preferencesOfUser: preferencesOfUser)
  }
}

extension SeededRandom {
  /// A standard normal draw (Box–Muller).
  mutating func gaussian() -> Double {
    let u1 = max(unit(), .leastNonzeroMagnitude)
    return (-2 * log(u1)).squareRoot() * cos(2 * .pi * unit())
  }
}
