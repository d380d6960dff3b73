/// The catalog numbered for the ranking pipeline: every item has an ordinal (its position in
/// one flat array), and every creator and category a key, so a request resolves an item id
/// with one String hash and then works on integers — the blend's slots, the guardrails'
/// per-creator counts and categories, exploration's usual categories — instead of hashing
/// the same strings again at every stage. That one lookup goes through `ItemIDTable`, not a
/// SipHash `Dictionary`. Built once per catalog change (`CatalogHolder`), never per request;
/// a copy is one retain.
package struct CatalogIndex: Sendable {
  /// Immutable once built, shared by every request that read the same snapshot.
  private final class Storage: Sendable {
    let items: [CatalogItem]
    let ordinals: ItemIDTable
    /// Per item ordinal: its creator's key and its category's key.
    let creatorKeys: [Int32]
    let categoryKeys: [Int32]
    let categoryKeysByName: [String: Int32]

    init(items: [CatalogItem], ordinals: ItemIDTable, creatorKeys: [Int32], categoryKeys: [Int32], categoryKeysByName: [String: Int32]) {
      self.items = items
      self.ordinals = ordinals
      self.creatorKeys = creatorKeys
      self.categoryKeys = categoryKeys
      self.categoryKeysByName = categoryKeysByName
    }
  }

  private let storage: Storage

  /// Numbers `items` in their dictionary order (ordinals mean nothing beyond one index).
  package init(_ items: [String: CatalogItem]) {
    precondition(items.count <= Int(Int32.max), "a catalog of more than 2^31 items")
    var flat: [CatalogItem] = []
    flat.reserveCapacity(items.count)
    var creators: [String: Int32] = [:]
    var categories: [String: Int32] = [:]
    var creatorKeys: [Int32] = []
    var categoryKeys: [Int32] = []
    creatorKeys.reserveCapacity(items.count)
    categoryKeys.reserveCapacity(items.count)
    for (id, item) in items {
      // `numbers(_:as:)` compares against the item's own id, so the key must be that id.
      assert(id == item.id, "catalog item \(item.id) filed under \(id)")
      flat.append(item)
      creatorKeys.append(Self.key(item.creatorID, in: &creators))
      categoryKeys.append(Self.key(item.category, in: &categories))
    }
    storage = Storage(items: flat, ordinals: ItemIDTable(flat.map(\.id)), creatorKeys: creatorKeys, categoryKeys: categoryKeys, categoryKeysByName: categories)
  }

  private static func key(_ name: String, in keys: inout [String: Int32]) -> Int32 {
    if let key = keys[name] { return key }
    let key = Int32(keys.count)
    keys[name] = key
    return key
  }

  package static let empty = CatalogIndex([:])

  /// Items in the catalog.
  package var count: Int { storage.items.count }

  /// Every id, in no particular order.
  package var ids: some Collection<String> { storage.items.lazy.map(\.id) }

  /// The item's ordinal, or nil when the catalog does not know the id.
  @inline(__always)
  package func ordinal(of id: String) -> Int32? {
    let items = storage.items
    return storage.ordinals.ordinal(of: id) { items[Int($0)].id }
  }

  /// The item numbered `ordinal` (from `ordinal(of:)` on this index).
  @inline(__always)
  package func item(at ordinal: Int32) -> CatalogItem { storage.items[Int(ordinal)] }

  /// The key of the item's creator: equal keys, equal creators (within this index).
  @inline(__always)
  package func creatorKey(at ordinal: Int32) -> Int32 { storage.creatorKeys[Int(ordinal)] }

  /// The key of the item's category: equal keys, equal categories (within this index).
  @inline(__always)
  package func categoryKey(at ordinal: Int32) -> Int32 { storage.categoryKeys[Int(ordinal)] }

  /// The key of a category by name, nil when no item of this index has it.
  package func categoryKey(of category: String) -> Int32? { storage.categoryKeysByName[category] }

  /// Whether `ordinal` numbers the item `id` here: how the blend checks an ordinal a source
  /// passed along (cheap: the ids are usually the very same string).
  @inline(__always)
  package func numbers(_ ordinal: Int32, as id: String) -> Bool {
    ordinal >= 0 && Int(ordinal) < storage.items.count && storage.items[Int(ordinal)].id == id
  }

  /// The item with this id, or nil: the id table's lookup, for the stages that need one
  /// item rather than a slot.
  package subscript(id: String) -> CatalogItem? {
    ordinal(of: id).map(item(at:))
  }
}

/// What the fallback ladder needs of a catalog: an item by id, and its ordinal when the
/// catalog is numbered. Both the plain dictionary (the files' catalog, the fallback path) and
/// the numbered index (the ranking pipeline) serve.
package protocol CatalogLookup: Sendable {
  /// The item, and its ordinal when the catalog numbers its items (nil otherwise).
  func numberedItem(_ id: String) -> (item: CatalogItem, ordinal: Int32?)?
}

extension CatalogIndex: CatalogLookup {
  package func numberedItem(_ id: String) -> (item: CatalogItem, ordinal: Int32?)? {
    ordinal(of: id).map { (item(at: $0), $0) }
  }
}

extension Dictionary: CatalogLookup where Key == String, Value == CatalogItem {
  package func numberedItem(_ id: String) -> (item: CatalogItem, ordinal: Int32?)? {
    self[id].map { ($0, nil) }
  }
}
