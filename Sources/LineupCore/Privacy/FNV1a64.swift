/// 64-bit FNV-1a: a tiny, stable, non-cryptographic hash. Used where a value must be the same
/// on every replica and every run (data versions, log hashes of user ids), which Swift's
/// per-process seeded `Hasher` is not.
package struct FNV1a64: Sendable {
  package private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

  package init() {}

  package mutating func update(_ text: String) {
    for byte in text.utf8 {
      value ^= UInt64(byte)
      value = value &* 0x0000_0100_0000_01b3
    }
  }

  /// The hash as 16 lower-case hex digits.
  package var hex: String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
