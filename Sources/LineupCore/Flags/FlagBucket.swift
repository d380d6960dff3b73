/// The deterministic hash that places a user in one of 10,000 buckets of a flag. It is a
/// cross-service contract, specified step by step in docs/flags.md with test vectors and a
/// Python reference (scripts/flag_bucket.py): change nothing here without changing those and
/// every service that reproduces assignments.
package enum FlagBucket {
  /// Buckets per flag: one per basis point, so a rollout of `n` bps admits buckets 0..<n.
  package static let buckets = 10_000

  /// The rollout bucket of `userID` under `salt`:
  /// fmix64(FNV-1a-64(UTF-8 of salt + ":" + userID)) mod 10000.
  package static func bucket(salt: String, userID: String) -> Int {
    bucket(salt, ":", userID)
  }

  /// The bucket that picks a variant: the same hash over salt + ":variant:" + userID. A
  /// second, independent hash because the rollout admits only low rollout buckets; picking
  /// the variant from that same bucket would put nearly everyone of a small rollout in the
  /// first variant.
  package static func variantBucket(salt: String, userID: String) -> Int {
    bucket(salt, ":variant:", userID)
  }

  /// The three parts are hashed one after the other, which equals hashing their
  /// concatenation without building it (FNV-1a consumes bytes one at a time).
  private static func bucket(_ salt: String, _ separator: String, _ userID: String) -> Int {
    var hash = FNV1a64()
    hash.update(salt)
    hash.update(separator)
    hash.update(userID)
    return Int(fmix64(hash.value) % UInt64(buckets))
  }

  /// MurmurHash3's 64-bit finalizer. FNV-1a's low bits depend only on the low bits of the
  /// last bytes, so for sequential ids ("user-10", "user-11", …) the bucket's low bits would
  /// follow the last digit (neighbours always alternate parity); the finalizer lets every
  /// input bit reach every output bit.
  package static func fmix64(_ value: UInt64) -> UInt64 {
    var x = value
    x ^= x >> 33
    x = x &* 0xff51_afd7_ed55_8ccd
    x ^= x >> 33
    x = x &* 0xc4ce_b93e_0f3d_7d5d
    x ^= x >> 33
    return x
  }
}
