import Testing

@testable import LineupCore

@Suite("Interaction validation")
struct InteractionValidationTests {
  static let now = 1_800_000_000.0

  static func event(_ id: String = "e1", type: Int = 1, timestamp: Double? = now - 10) -> RawInteraction {
    RawInteraction(eventID: id, userID: "u1", itemID: "it-1", type: type, timestamp: timestamp, context: RawRequestContext(country: "br"))
  }

  @Test("a valid event passes with its index, country upper-cased")
  func valid() throws {
    let (valid, rejections) = try InteractionValidation().validate([Self.event()], now: Self.now)
    #expect(rejections.isEmpty)
    #expect(valid.map(\.index) == [0])
    #expect(valid[0].event.type == .view)
    #expect(valid[0].event.context.country == CountryCode("BR"))
  }

  @Test(
    "each bad field is rejected by its path, the rest of the batch goes on",
    arguments: [
      (RawInteraction(eventID: "", userID: "u", itemID: "i", type: 1, timestamp: now), "events[1].event_id"),
      (RawInteraction(eventID: "e", userID: "", itemID: "i", type: 1, timestamp: now), "events[1].user_id"),
      (RawInteraction(eventID: "e", userID: "u", itemID: "", type: 1, timestamp: now), "events[1].item_id"),
      (RawInteraction(eventID: "e", userID: "u", itemID: "i", type: 0, timestamp: now), "events[1].type"),
      (RawInteraction(eventID: "e", userID: "u", itemID: "i", type: 99, timestamp: now), "events[1].type"),
      (RawInteraction(eventID: "e", userID: "u", itemID: "i", type: 1, timestamp: nil), "events[1].timestamp"),
      (RawInteraction(eventID: "e", userID: "u", itemID: "i", type: 1, timestamp: now + 3_600), "events[1].timestamp"),
      (RawInteraction(eventID: "e", userID: "u", itemID: "i", type: 1, timestamp: now, watchSeconds: -1), "events[1].watch_seconds"),
      (RawInteraction(eventID: "e", userID: "u", itemID: "i", type: 1, timestamp: now, watchSeconds: .nan), "events[1].watch_seconds"),
      (RawInteraction(eventID: "e", userID: "u", itemID: "i", type: 3, timestamp: now, giftAmount: -5), "events[1].gift_amount"),
      (RawInteraction(eventID: "e", userID: "u", itemID: "i", type: 1, timestamp: now, context: RawRequestContext(country: "BRA")), "events[1].context.country"),
      (RawInteraction(eventID: String(repeating: "x", count: 129), userID: "u", itemID: "i", type: 1, timestamp: now), "events[1].event_id"),
    ]
  )
  func rejects(bad: RawInteraction, field: String) throws {
    let (valid, rejections) = try InteractionValidation().validate([Self.event(), bad, Self.event("e3")], now: Self.now)
    #expect(valid.map(\.index) == [0, 2])
    #expect(rejections.map(\.field) == [field])
    #expect(rejections.allSatisfy { $0.index == 1 && !$0.reason.isEmpty })
  }

  @Test("every bad field of one event is reported")
  func allFields() throws {
    let bad = RawInteraction(eventID: "", userID: "", itemID: "i", type: 0, timestamp: nil)
    let (_, rejections) = try InteractionValidation().validate([bad], now: Self.now)
    #expect(Set(rejections.map(\.field)) == ["events[0].event_id", "events[0].user_id", "events[0].type", "events[0].timestamp"])
  }

  @Test("an empty or oversized batch is INVALID_ARGUMENT for the request", arguments: [0, 1_001])
  func batchSize(count: Int) {
    #expect(throws: LineupError.self) {
      try InteractionValidation().validate((0..<count).map { Self.event("e\($0)") }, now: Self.now)
    }
  }
}

@Suite("Catalog item validation")
struct CatalogItemValidationTests {
  static let now = 1_800_000_000.0
  static let good = RawCatalogItem(itemID: "it-1", creatorID: "cr-1", category: "music", createdAt: now - 60, available: true)

  @Test("a valid item passes; creator_first_seen is optional")
  func valid() throws {
    var withFirstSeen = Self.good
    withFirstSeen.itemID = "it-2"
    withFirstSeen.creatorFirstSeen = Self.now - 86_400
    let (valid, rejections) = try CatalogItemValidation().validate([Self.good, withFirstSeen], now: Self.now)
    #expect(rejections.isEmpty)
    #expect(valid.map(\.creatorFirstSeen) == [nil, Int64(Self.now - 86_400)])
  }

  @Test(
    "bad items are rejected by field",
    arguments: [
      (RawCatalogItem(itemID: "", creatorID: "c", category: "m", createdAt: now, available: true), "items[1].item_id"),
      (RawCatalogItem(itemID: "i", creatorID: "", category: "m", createdAt: now, available: true), "items[1].creator_id"),
      (RawCatalogItem(itemID: "i", creatorID: "c", category: "", createdAt: now, available: true), "items[1].category"),
      (RawCatalogItem(itemID: "i", creatorID: "c", category: String(repeating: "m", count: 65), createdAt: now, available: true), "items[1].category"),
      (RawCatalogItem(itemID: "i", creatorID: "c", category: "m", createdAt: nil, available: true), "items[1].created_at"),
      (RawCatalogItem(itemID: "i", creatorID: "c", category: "m", createdAt: now + 86_400, available: true), "items[1].created_at"),
      (RawCatalogItem(itemID: "i", creatorID: "c", category: "m", createdAt: now, creatorFirstSeen: -1, available: true), "items[1].creator_first_seen"),
      (RawCatalogItem(itemID: "it-1", creatorID: "c", category: "m", createdAt: now, available: true), "items[1].item_id"),
    ]
  )
  func rejects(bad: RawCatalogItem, field: String) throws {
    let (valid, rejections) = try CatalogItemValidation().validate([Self.good, bad], now: Self.now)
    #expect(valid.map(\.id) == ["it-1"])
    #expect(rejections.map(\.field) == [field])
  }
}
