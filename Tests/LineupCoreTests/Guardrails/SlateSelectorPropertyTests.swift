import PropertyBased
import Testing

@testable import LineupCore

/// A random candidate list, reproducible from a few integers (which PropertyBased generates
/// and shrinks): `count` candidates ranked best first, drawn from `creators` creators over
/// `categories` categories, `newShare` percent of creators new.
struct RandomCandidates {
  var items: [ServedItem]

  init(count: Int, creators: Int, categories: Int, newShare: Int, seed: UInt64, creatorOwnsCategory: Bool = false) {
    var random = SplitMix64(seed: seed)
    items = (0..<count).map { index in
      let creator = Int(random.next() % UInt64(creators))
      let category = creatorOwnsCategory ? creator % categories : Int(random.next() % UInt64(categories))
      let isNew = Int(UInt64(creator) &* 2_654_435_761 % 100) < newShare
      return ServedItem(
        item: CatalogItem(id: "it-\(index)", creatorID: "cr-\(creator)", category: "cat-\(category)", createdAt: 0, isNewCreator: isNew),
        score: 1 - Double(index) / Double(count + 1),
        reasons: [Reason(code: .modelScore, text: "model", weight: 1)]
      )
    }
  }
}

/// A tiny deterministic generator (SplitMix64), so a failing case replays from its inputs.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("Slate selector: guardrail invariants hold for every slate")
struct SlateSelectorPropertyTests {
  let policy = GuardrailPolicy()

  @Test("integer shares: 15% of 20 is 3, never 4; the cap is at least 1")
  func shares() {
    #expect(policy.newCreatorFloor(slateSize: 20) == 3)
    #expect(policy.newCreatorFloor(slateSize: 1) == 1)
    #expect(policy.newCreatorFloor(slateSize: 7) == 2)
    #expect(policy.creatorCap(slateSize: 20) == 3)
    #expect(policy.creatorCap(slateSize: 6) == 1)
    #expect(policy.creatorCap(slateSize: 100) == 15)
  }

  @Test("the per-creator cap always holds; the slate is as full as the cap allows; items are distinct and ordered by score")
  func capAndSize() async {
    await propertyCheck(count: 300, input: Gen.int(in: 1...100), Gen.int(in: 0...300), Gen.int(in: 1...40), Gen.int(in: 0...Int.max)) {
      size, count, creators, seed in
      let candidates = RandomCandidates(count: count, creators: creators, categories: 6, newShare: 20, seed: UInt64(seed)).items
      let (items, _) = SlateSelector(policy: policy).select(candidates, size: size)
      let cap = policy.creatorCap(slateSize: size)
      let perCreator = Dictionary(grouping: candidates, by: \.item.creatorID).mapValues(\.count)
      #expect(items.count == min(size, perCreator.values.reduce(0) { $0 + min(cap, $1) }))
      #expect(Dictionary(grouping: items, by: \.item.creatorID).values.allSatisfy { $0.count <= cap })
      #expect(Set(items.map(\.item.id)).count == items.count)
      #expect(zip(items, items.dropFirst()).allSatisfy { $0.score >= $1.score })
    }
  }

  @Test("the new-creator floor holds whenever enough eligible items exist, else all of them are served and provenance says so")
  func newCreatorFloor() async {
    await propertyCheck(count: 300, input: Gen.int(in: 1...100), Gen.int(in: 0...300), Gen.int(in: 0...60), Gen.int(in: 0...Int.max)) {
      size, count, newShare, seed in
      let candidates = RandomCandidates(count: count, creators: 30, categories: 5, newShare: newShare, seed: UInt64(seed)).items
      let (items, reports) = SlateSelector(policy: policy).select(candidates, size: size)
      let cap = policy.creatorCap(slateSize: size)
      let eligible = Dictionary(grouping: candidates.filter(\.item.isNewCreator), by: \.item.creatorID).values.reduce(0) { $0 + min(cap, $1.count) }
      let floor = policy.newCreatorFloor(slateSize: size)
      let served = items.filter(\.item.isNewCreator).count
      #expect(served >= min(floor, eligible))
      let report = reports.first { $0.name == SlateSelector.newCreatorFloorName }
      #expect(report?.satisfied == (served >= floor))
    }
  }

  @Test("at least K categories where the candidates allow (each creator in one category, room beyond the floor)")
  func categorySpread() async {
    await propertyCheck(count: 300, input: Gen.int(in: 1...100), Gen.int(in: 1...300), Gen.int(in: 1...8), Gen.int(in: 0...Int.max)) {
      size, count, categories, seed in
      let candidates = RandomCandidates(count: count, creators: 25, categories: categories, newShare: 15, seed: UInt64(seed), creatorOwnsCategory: true).items
      let (items, reports) = SlateSelector(policy: policy).select(candidates, size: size)
      let available = Set(candidates.map(\.item.category)).count
      let served = Set(items.map(\.item.category)).count
      if size >= policy.newCreatorFloor(slateSize: size) + policy.minCategories {
        #expect(served >= min(policy.minCategories, available))
        #expect(reports.first { $0.name == SlateSelector.categorySpreadName }?.satisfied == true)
      }
    }
  }

  @Test("every item keeps its reasons, and items the plain top-N would not hold name the guardrail that brought them in")
  func reasons() async {
    await propertyCheck(count: 200, input: Gen.int(in: 1...50), Gen.int(in: 0...200), Gen.int(in: 0...Int.max)) { size, count, seed in
      let candidates = RandomCandidates(count: count, creators: 8, categories: 4, newShare: 25, seed: UInt64(seed)).items
      let plainTop = Set(candidates.prefix(size).map(\.item.id))
      let (items, _) = SlateSelector(policy: policy).select(candidates, size: size)
      let guardrailCodes: Set<ReasonCode> = [.newCreatorFloor, .categorySpread, .creatorCap]
      for item in items {
        #expect(item.reasons.first?.code == .modelScore)
        let added = item.reasons.contains { guardrailCodes.contains($0.code) }
        #expect(added == !plainTop.contains(item.item.id))
      }
    }
  }

  @Test("a worked example: one creator dominating, no new creator in the top")
  func example() {
    let items: [ServedItem] = (0..<10).map { (index: Int) -> ServedItem in
      let creator: String = index < 6 ? "big" : "c\(index)"
      let category: String = index < 8 ? "music" : "gaming"
      let item = CatalogItem(id: "i\(index)", creatorID: creator, category: category, createdAt: 0, isNewCreator: index == 9)
      return ServedItem(item: item, score: 1 - Double(index) / 10, reasons: [])
    }
    let (slate, reports) = SlateSelector(policy: policy).select(items, size: 4)
    // cap 1 (15% of 4, at least 1), floor 1, 3 categories wanted but only 2 exist.
    #expect(slate.map { $0.item.id } == ["i0", "i6", "i7", "i9"])
    #expect(slate.last?.reasons.map { $0.code } == [ReasonCode.newCreatorFloor])
    #expect(reports.map(\.satisfied) == [true, true, true])
    #expect(reports.first { $0.name == "creator_cap" }?.adjustments == 3)
  }
}
