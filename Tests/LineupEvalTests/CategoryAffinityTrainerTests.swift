import LineupEval
import Testing

/// The evaluation's offline model, on a hand-made history.
@Suite("Category-affinity trainer")
struct CategoryAffinityTrainerTests {
  static func item(_ id: String, _ category: String) -> EvalItem {
    EvalItem(id: id, creatorID: "c", category: category, createdAt: 0, creatorFirstSeen: 0, isNewCreator: false)
  }

  static func event(_ user: String, _ item: String, country: String = "US", at time: Double) -> EvalEvent {
    EvalEvent(eventID: "\(user)-\(item)-\(time)", userID: user, itemID: item, country: country, timestamp: time, watchSeconds: 1)
  }

  @Test("a user's candidates lead with their own category's popular items, never repeat what they saw, and score in (0, 1]")
  func learnsAffinity() throws {
    let items = ["m1", "m2", "m3"].map { Self.item($0, "music") } + ["s1", "s2", "s3"].map { Self.item($0, "sports") }
    // Popularity in US: s1 ×4, s2 ×3, m1 ×2, m2 ×2, m3 ×1, s3 ×1. "fan" watched m1 twice.
    var train: [EvalEvent] = []
    var time = 0.0
    func add(_ user: String, _ item: String, _ times: Int = 1) {
      for _ in 0..<times {
        time += 1
        train.append(Self.event(user, item, at: time))
      }
    }
    add("a", "s1", 4)
    add("b", "s2", 3)
    add("c", "m2", 2)
    add("d", "s3")
    add("d", "m3")
    add("fan", "m1", 2)
    let model = CategoryAffinityTrainer.candidates(items: items, train: train, depth: 10)
    let fan = try #require(model["fan"])
    #expect(!fan.contains { $0.itemID == "m1" }, "seen items are never candidates")
    // Affinity music (2+1)/(2+2) = 0.75, sports 1/4: m2 0.75×2 = 1.5, s1 0.25×4 = 1.0, then
    // m3 0.75 and s2 0.75 (a tie, by id), s3 0.25.
    #expect(fan.map(\.itemID) == ["m2", "s1", "m3", "s2", "s3"])
    #expect(fan.first?.score == 1)
    #expect(fan.allSatisfy { $0.score > 0 && $0.score <= 1 })
    #expect(zip(fan, fan.dropFirst()).allSatisfy { $0.score >= $1.score }, "best first")
    // A sports user gets sports first.
    #expect(model["a"]?.first?.itemID == "s2")
    #expect(model["nobody"] == nil)
  }
}
