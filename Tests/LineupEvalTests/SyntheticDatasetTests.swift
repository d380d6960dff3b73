import LineupEval
import Testing

/// The generator plants what it says, deterministically, and the split holds out the future.
@Suite("Synthetic dataset and holdout split")
struct SyntheticDatasetTests {
  static let now = 1_800_000_000.0

  static func smallSpec() -> DatasetSpec {
    var spec = DatasetSpec()
    spec.users = 400
    // 100 items per category: a user's preferred categories are not exhausted, so the
    // planted share is not bent by redraws.
    spec.items = 600
    spec.creators = 60
    spec.categories = 6
    return spec
  }

  @Test func sameSeedSameData() {
    let first = SyntheticDataset.generate(Self.smallSpec(), now: Self.now)
    let second = SyntheticDataset.generate(Self.smallSpec(), now: Self.now)
    #expect(first.events == second.events)
    #expect(first.items == second.items)
    var other = Self.smallSpec()
    other.seed = 7
    #expect(SyntheticDataset.generate(other, now: Self.now).events != first.events)
  }

  @Test func plantedStructureIsThere() {
    let spec = Self.smallSpec()
    let dataset = SyntheticDataset.generate(spec, now: Self.now)
    let categoryOf = Dictionary(uniqueKeysWithValues: dataset.items.map { ($0.id, $0.category) })
    var inPreferred = 0
    var perUser: [String: Set<String>] = [:]
    var repeats = 0
    for event in dataset.events {
      if dataset.preferencesOfUser[event.userID]?.contains(categoryOf[event.itemID] ?? "") == true { inPreferred += 1 }
      if !perUser[event.userID, default: []].insert(event.itemID).inserted { repeats += 1 }
      #expect(event.timestamp < Self.now && event.timestamp >= Self.now - 60 - spec.spanSeconds)
    }
    // Drawn share: strength + (1 − strength) × preferred / categories = 0.8 + 0.2 × 2/6 ≈ 0.87;
    // a redraw after an already-seen item picks a fresh category, which pulls the served share
    // down a little (heavy users exhaust their categories' hits). Uniform would be 2/6.
    let share = Double(inPreferred) / Double(dataset.events.count)
    #expect(share > 0.75 && share < 0.9, "share in preferred categories \(share)")
    #expect(repeats == 0)
    #expect(dataset.events.count >= spec.users * spec.minEventsPerUser)
    #expect(zip(dataset.events, dataset.events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
    let newShare = Double(dataset.items.filter(\.isNewCreator).count) / Double(dataset.items.count)
    #expect(newShare > 0.02 && newShare < 0.25, "new-creator item share \(newShare)")
    // Items of one creator agree on newness and category.
    let byCreator = Dictionary(grouping: dataset.items, by: \.creatorID)
    #expect(byCreator.values.allSatisfy { Set($0.map(\.isNewCreator)).count == 1 && Set($0.map(\.category)).count == 1 })
  }

  @Test func splitHoldsOutTheNewestEvents() {
    let dataset = SyntheticDataset.generate(Self.smallSpec(), now: Self.now)
    let split = HoldoutSplit(events: dataset.events, holdoutShare: 0.2)
    #expect(abs(Double(split.train.count) / Double(dataset.events.count) - 0.8) < 0.001)
    #expect(split.train.allSatisfy { $0.timestamp <= split.cut })
    for (user, relevant) in split.relevant {
      #expect(!relevant.isEmpty)
      #expect(relevant.isDisjoint(with: split.history[user] ?? []))
    }
    let heldOutUsers = Set(dataset.events.dropFirst(split.train.count).map(\.userID))
    #expect(split.relevant.count + split.coldUsers <= heldOutUsers.count)
  }

  @Test func coldUsersAreCounted() {
    let events = [
      EvalEvent(eventID: "1", userID: "old", itemID: "a", country: "US", timestamp: 1, watchSeconds: 1),
      EvalEvent(eventID: "2", userID: "old", itemID: "b", country: "US", timestamp: 2, watchSeconds: 1),
      EvalEvent(eventID: "3", userID: "new", itemID: "c", country: "US", timestamp: 3, watchSeconds: 1),
      EvalEvent(eventID: "4", userID: "old", itemID: "d", country: "US", timestamp: 4, watchSeconds: 1),
    ]
    let split = HoldoutSplit(events: events, holdoutShare: 0.5)
    #expect(split.train.map(\.eventID) == ["1", "2"])
    #expect(split.coldUsers == 1)
    #expect(split.relevant == ["old": ["d"]])
    #expect(split.cut == 3)
  }
}
