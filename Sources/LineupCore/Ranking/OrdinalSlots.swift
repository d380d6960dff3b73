/// A per-request map from a catalog number (an item's ordinal, a creator's or a category's
/// key) to a small integer — the blend's slot of an item, the guardrails' count per creator:
/// open addressing with linear probing over a power-of-two table sized for the
/// request, so a lookup is a multiply, a shift and a compare or two — not SipHash, which is
/// what a `Dictionary` would pay per lookup. Noncopyable: it owns its table and frees it.
package struct OrdinalSlots: ~Copyable {
  private struct Entry {
    var ordinal: Int32
    var slot: Int32
  }

  private let table: UnsafeMutablePointer<Entry>
  private let mask: Int
  private let shift: Int
  private static let empty: Int32 = -1

  /// Room for `capacity` ordinals at a load of at most one half.
  package init(capacity: Int) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    table = .allocate(capacity: size)
    table.initialize(repeating: Entry(ordinal: Self.empty, slot: 0), count: size)
    mask = size - 1
    shift = 64 - size.trailingZeroBitCount
  }

  deinit { table.deallocate() }

  /// The slot of `ordinal`; when it has none yet, it gets `value` and the result is nil.
  @inline(__always)
  package mutating func claim(_ ordinal: Int32, as value: Int32) -> Int32? {
    var at = bucket(ordinal)
    while true {
      let entry = table[at]
      if entry.ordinal == ordinal { return entry.slot }
      if entry.ordinal == Self.empty {
        table[at] = Entry(ordinal: ordinal, slot: value)
        return nil
      }
      at = (at + 1) & mask
    }
  }

  /// The value of `ordinal`, nil when it has none.
  @inline(__always)
  package func value(of ordinal: Int32) -> Int32? {
    var at = bucket(ordinal)
    while true {
      let entry = table[at]
      if entry.ordinal == ordinal { return entry.slot }
      if entry.ordinal == Self.empty { return nil }
      at = (at + 1) & mask
    }
  }

  /// Adds `delta` to the value of `ordinal` (0 when it has none).
  package mutating func add(_ delta: Int32, to ordinal: Int32) {
    if let value = claim(ordinal, as: delta) { set(ordinal, to: value + delta) }
  }

  /// Sets the slot of `ordinal`, claimed or not.
  package mutating func set(_ ordinal: Int32, to value: Int32) {
    var at = bucket(ordinal)
    while table[at].ordinal != ordinal && table[at].ordinal != Self.empty { at = (at + 1) & mask }
    table[at] = Entry(ordinal: ordinal, slot: value)
  }

  /// Fibonacci hashing: the top bits of the ordinal times 2^64/φ, so that consecutive
  /// ordinals spread over the table.
  @inline(__always)
  private func bucket(_ ordinal: Int32) -> Int {
    Int(truncatingIfNeeded: (UInt64(UInt32(bitPattern: ordinal)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift)) & mask
  }
}
