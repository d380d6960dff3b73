import Testing

@testable import LineupCore

@Suite("In-memory store")
struct InMemoryStoreTests {
  @Test("popularity is ranked, normalized to the top item, per country")
  func ranking() async throws {
    let store = InMemoryStore()
    let br = CountryCode("BR")!
    try await store.addPopularity(2, itemID: "a", in: br)
    try await store.addPopularity(4, itemID: "b", in: br)
    try await store.addPopularity(2, itemID: "a", in: br)
    try await store.addPopularity(1, itemID: "c", in: br)
    try await store.addPopularity(9, itemID: "z", in: CountryCode("US")!)
    let top = try await store.topItems(in: br, limit: 2)
    #expect(top == [PopularityEntry(itemID: "a", score: 1), PopularityEntry(itemID: "b", score: 1)])
    #expect(try await store.topItems(in: br, limit: 10).map(\.itemID) == ["a", "b", "c"])
    #expect(try await store.topItems(in: CountryCode("JP")!, limit: 10).isEmpty)
  }

  @Test("non-positive and non-finite weights are ignored")
  func ignoresBadWeights() async throws {
    let store = InMemoryStore()
    let br = CountryCode("BR")!
    for weight in [0, -1, Double.nan, .infinity] {
      try await store.addPopularity(weight, itemID: "a", in: br)
    }
    #expect(try await store.topItems(in: br, limit: 10).isEmpty)
  }
}
