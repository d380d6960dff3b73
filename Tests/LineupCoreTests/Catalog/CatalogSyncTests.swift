import Testing

@testable import LineupCore

@Suite("Catalog mirror")
struct CatalogSyncTests {
  static func item(_ id: String, creator: String = "cr", firstSeen: Int64? = nil, available: Bool = true) -> CatalogItem {
    CatalogItem(id: id, creatorID: creator, category: "music", createdAt: 1_000, isNewCreator: false, creatorFirstSeen: firstSeen, isAvailable: available)
  }

  @Test("ingested items overlay the files, pages never split a version, and a store reset starts over")
  func sync() async throws {
    let store = InMemoryStore()
    let holder = CatalogHolder(files: ["f": Self.item("f"), "a": Self.item("a", creator: "file-creator")])
    var sync = CatalogSync(store: store, holder: holder, now: { 100 * 86_400 })
    sync.pageSize = 2
    #expect(try await sync.refresh(deadline: .now) == 0)

    _ = try await store.upsert([Self.item("a", creator: "new", firstSeen: 99 * 86_400), Self.item("b"), Self.item("c")], deadline: .now)
    _ = try await store.upsert([Self.item("d", available: false)], deadline: .now)
    #expect(try await sync.refresh(deadline: .now) == 4)
    #expect(holder.ingestedVersion == 2)
    #expect(Set(holder.index.ids) == ["f", "a", "b", "c", "d"])
    #expect(holder.item("a")?.creatorID == "new")
    #expect(holder.item("a")?.isNewCreator == true)
    #expect(holder.item("d")?.isAvailable == false)
    #expect(try await sync.refresh(deadline: .now) == 0)

    // A store that lost its data (version behind ours) is read again from the start.
    let emptied = InMemoryStore()
    _ = try await emptied.upsert([Self.item("z")], deadline: .now)
    let resync = CatalogSync(store: emptied, holder: holder, now: { 0 })
    #expect(try await resync.refresh(deadline: .now) == 1)
    #expect(Set(holder.index.ids) == ["f", "a", "z"])
    #expect(holder.item("a")?.creatorID == "file-creator")
  }
}
