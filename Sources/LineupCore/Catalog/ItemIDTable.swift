/// The catalog index's map from an item id to its ordinal: open addressing with linear probing
/// over a power-of-two table of (hash, ordinal) pairs, hashed by a short multiply-mix over the
/// id's UTF-8 bytes under a seed drawn when the table is built.
///
/// Why not `[String: Int32]`: every proposal the blend admits costs one id lookup, and with a
/// `Dictionary` that lookup is SipHash-1-3 (seed, combine, finalize) plus the probe — a
/// quarter of "ranking plus guardrails" in `perf`. Here a lookup is a few multiplies over an
/// id of a word or two, a probe comparing stored hash bits, and one String comparison on a
/// hash match. The table holds only the catalog (operator data); an id from a request or the
/// model is only ever looked up, so it cannot lengthen a probe for anyone else, and the
/// per-table seed keeps the layout unpredictable across processes and catalog versions.
struct ItemIDTable: Sendable {
  /// One slot: the id's full hash (0: empty; real hashes are forced odd) and its ordinal.
  private struct Slot {
    var hash: UInt64
    var ordinal: Int32
  }

  private let slots: [Slot]
  private let mask: Int
  private let seed: UInt64

  /// Numbers `ids[i]` as `i`. Ids must be distinct (the catalog's keys are).
  init(_ ids: [String], seed: UInt64 = UInt64.random(in: 1...UInt64.max)) {
    var size = 16
    // A load of at most one half keeps probes short.
    while size < ids.count * 2 { size <<= 1 }
    var slots = [Slot](repeating: Slot(hash: 0, ordinal: -1), count: size)
    let mask = size - 1
    for (ordinal, id) in ids.enumerated() {
      let hash = Self.hash(id, seed: seed)
      var at = Self.bucket(hash, mask: mask)
      while slots[at].hash != 0 { at = (at + 1) & mask }
      slots[at] = Slot(hash: hash, ordinal: Int32(ordinal))
    }
    self.slots = slots
    self.mask = mask
    self.seed = seed
  }

  /// The ordinal of `id`, nil when it was not in the table; `idAt` gives the id numbered by an
  /// ordinal, to confirm a hash match.
  @inline(__always)
  func ordinal(of id: String, idAt: (Int32) -> String) -> Int32? {
    let hash = Self.hash(id, seed: seed)
    return slots.withUnsafeBufferPointer { slots in
      var at = Self.bucket(hash, mask: mask)
      while true {
        let slot = slots[at]
        if slot.hash == hash && idAt(slot.ordinal) == id { return slot.ordinal }
        if slot.hash == 0 { return nil }
        at = (at + 1) & mask
      }
    }
  }

  /// The first slot to probe: the hash's bits above the lowest, which is always set.
  @inline(__always)
  private static func bucket(_ hash: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: hash >> 1) & mask }

  /// A 64-bit hash of the id's UTF-8 bytes, odd (so never the empty mark). Item ids are short
  /// ASCII strings held inline (Swift's small strings), whose bytes are read without a copy to
  /// the heap.
  @inline(__always)
  static func hash(_ id: String, seed: UInt64) -> UInt64 {
    if let hash = id.utf8.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0), seed: seed) }) { return hash }
    return Array(id.utf8).withUnsafeBytes { hash($0, seed: seed) }
  }

  /// Eight bytes at a time folded in by a multiply and a shift, the tail zero-padded, the
  /// length mixed in, and a murmur3 finalizer so that every input bit reaches the low bits
  /// the probe uses.
  @inline(__always)
  static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
    var hash = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
    var offset = 0
    while offset + 8 <= bytes.count {
      hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
      hash ^= hash >> 29
      offset += 8
    }
    if offset < bytes.count {
      var tail: UInt64 = 0
      for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << UInt64(8 * (index - offset)) }
      hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
      hash ^= hash >> 29
    }
    hash ^= hash >> 33
    hash &*= 0xFF51_AFD7_ED55_8CCD
    hash ^= hash >> 33
    hash &*= 0xC4CE_B9FE_1A85_EC53
    hash ^= hash >> 33
    return hash | 1
  }
}
