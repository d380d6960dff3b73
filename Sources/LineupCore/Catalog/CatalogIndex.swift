/// The catalog numbered for the ranking pipeline: every item has an ordinal (its position in
/// one flat array), so a request resolves an item id with one String hash and then works on
/// integers — the blend's slots, the filter's rejections — instead of hashing the same id
/// again at every stage. Built once per catalog change (`CatalogHolder`), never per request;
/// a copy is one retain.
package struct CatalogIndex: Sendable {
  /// Immutable once built, shared by every request that read the same snapshot.
  private final class Storage: Sendable {
    let items: [CatalogItem]
    let ordinals: [String: Int32]

    init(items: [CatalogItem], ordinals: [String: Int32]) {
      self.items = items
      self.ordinals = ordinals
    }
  }

  private let storage: Storage

  /// Numbers `items` in their dictionary order (ordinals mean nothing beyond one index).
  package init(_ items: [String: CatalogItem]) {
    precondition(items.count <= Int(Int32.max), "a catalog of more than 2^31 items")
    var flat: [CatalogItem] = []
    flat.reserveCapacity(items.count)
    var ordinals: [String: Int32] = [:]
    ordinals.reserveCapacity(items.count)
    for (id, item) in items {
      ordinals[id] = Int32(flat.count)
      flat.append(item)
    }
    storage = Storage(items: flat, ordinals: ordinals)
  }

  package static let empty = CatalogIndex([:])

  /// Items in the catalog.
  package var count: Int { storage.items.count }

  /// Every id, in no particular order.
  package var ids: Dictionary<String, Int32>.Keys { storage.ordinals.keys }

  /// The item's ordinal, or nil when the catalog does not know the id.
  @inline(__always)
  package func ordinal(of id: String) -> Int32? { storage.ordinals[id] }

  /// The item numbered `ordinal` (from `ordinal(of:)` on this index).
  @inline(__always)
  package func item(at ordinal: Int32) -> CatalogItem { storage.items[Int(ordinal)] }

  /// Whether `ordinal` numbers the item `id` here: how the blend checks an ordinal a source
  /// passed along (cheap: the ids are usually the very same string).
  @inline(__always)
  package func numbers(_ ordinal: Int32, as id: String) -> Bool {
    ordinal >= 0 && Int(ordinal) < storage.items.count && storage.items[Int(ordinal)].id == id
  }

  /// The item with this id, or nil: the dictionary's lookup, for the stages that need one
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
