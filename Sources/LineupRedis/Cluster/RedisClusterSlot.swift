/// Redis Cluster's key → hash slot function, as the cluster spec defines it: CRC16 (XMODEM)
/// of the key, or of its hash tag, modulo 16384.
package enum RedisClusterSlot {
  /// Number of hash slots in every Redis Cluster.
  package static let count = 16384

  /// The hash slot of a key. A hash tag — the bytes between the first `{` and the next `}`,
  /// when there is at least one — is hashed instead of the whole key, so `{u:42}:recs` and
  /// `{u:42}:seen` land on one slot and can be read in one pipeline or one multi-key command.
  package static func slot(for key: [UInt8]) -> Int {
    Int(crc16(hashTag(of: key)) & UInt16(count - 1))
  }

  /// The hash slot of a text key (its UTF-8 bytes).
  package static func slot(for key: String) -> Int {
    slot(for: Array(key.utf8))
  }

  /// CRC16-CCITT in its XMODEM form (polynomial 0x1021, initial value 0, no reflection),
  /// the variant Redis uses: crc16("123456789") == 0x31C3.
  package static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
    var crc: UInt16 = 0
    for byte in bytes {
      crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
    }
    return crc
  }

  /// The part of the key that is hashed. `foo{}{bar}` has an empty first tag, so the whole
  /// key is hashed; `foo{{bar}}zap` hashes `{bar`; `foo{bar}{zap}` hashes `bar`.
  static func hashTag(of key: [UInt8]) -> ArraySlice<UInt8> {
    guard let open = key.firstIndex(of: UInt8(ascii: "{")),
      let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")),
      close > open + 1
    else { return key[...] }
    return key[(open + 1)..<close]
  }

  /// One entry per byte value: the CRC of that byte shifted into the high half. Built once;
  /// a table lookup per key byte keeps hashing far below the cost of the network round trip.
  private static let table: [UInt16] = (0..<256).map { value in
    var crc = UInt16(value) << 8
    for _ in 0..<8 {
      crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
    }
    return crc
  }
}
