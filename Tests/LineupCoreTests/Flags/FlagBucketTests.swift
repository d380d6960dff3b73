import LineupCore
import Testing

@Suite("Flag bucket hash")
struct FlagBucketTests {
  /// One row of the test-vector table in docs/flags.md, printed by scripts/flag_bucket.py.
  struct Vector: Sendable, CustomTestStringConvertible {
    var salt: String
    var userID: String
    var bucket: Int
    var variantBucket: Int
    var testDescription: String { "\(salt):\(userID)" }
  }

  // Keep in step with docs/flags.md and `python3 scripts/flag_bucket.py [--variant] SALT USER_ID`.
  static let vectors: [Vector] = [
    Vector(salt: "recs", userID: "user-1", bucket: 870, variantBucket: 7024),
    Vector(salt: "recs", userID: "user-2", bucket: 6775, variantBucket: 926),
    Vector(salt: "recs", userID: "user-42", bucket: 1477, variantBucket: 8860),
    Vector(salt: "feed", userID: "user-1", bucket: 2956, variantBucket: 7935),
    Vector(salt: "pricing", userID: "user-1", bucket: 8383, variantBucket: 8804),
    Vector(salt: "source.new_creators", userID: "u_9f8e7d", bucket: 5157, variantBucket: 6014),
    Vector(salt: "recs-2026-q3", userID: "user-1", bucket: 6473, variantBucket: 8960),
    Vector(salt: "recs", userID: "", bucket: 2635, variantBucket: 6499),
    Vector(salt: "", userID: "", bucket: 6780, variantBucket: 9606),
    // "josé" with a precomposed é (U+00E9, two UTF-8 bytes): ids are hashed as their bytes,
    // never normalized.
    Vector(salt: "pricing", userID: "jos\u{E9}", bucket: 1458, variantBucket: 2930),
  ]

  @Test("buckets match the documented test vectors", arguments: vectors)
  func vector(_ vector: Vector) {
    #expect(FlagBucket.bucket(salt: vector.salt, userID: vector.userID) == vector.bucket)
    #expect(FlagBucket.variantBucket(salt: vector.salt, userID: vector.userID) == vector.variantBucket)
  }

  @Test("the worked example's intermediate values match docs/flags.md")
  func workedExample() {
    var fnv = FNV1a64()
    fnv.update("recs:user-1")
    #expect(fnv.value == 0x8b0f_9055_9c00_fbe5)
    #expect(FlagBucket.fmix64(fnv.value) == 0x5734_121a_4d59_95b6)
    #expect(0x5734_121a_4d59_95b6 % 10_000 == 870)
  }

  @Test("FNV-1a 64 is the published one (offset basis and known vectors)")
  func fnvVectors() {
    var empty = FNV1a64()
    empty.update("")
    #expect(empty.value == 0xcbf2_9ce4_8422_2325)
    var a = FNV1a64()
    a.update("a")
    #expect(a.value == 0xaf63_dc4c_8601_ec8c)
    var foobar = FNV1a64()
    foobar.update("foobar")
    #expect(foobar.value == 0x8594_4171_f739_67e8)
  }

  @Test("a decomposed é hashes as its own bytes, not as the precomposed one")
  func noNormalization() {
    // Swift's == treats the two as equal; the hash must not, or other languages, which see
    // different bytes, could not reproduce it.
    #expect("jose\u{301}" == "jos\u{E9}")
    #expect(FlagBucket.bucket(salt: "pricing", userID: "jose\u{301}") == 3158)
    #expect(FlagBucket.variantBucket(salt: "pricing", userID: "jose\u{301}") == 9145)
  }

  @Test("every bucket is in 0..<10000")
  func range() {
    for index in 0..<10_000 {
      let bucket = FlagBucket.bucket(salt: "recs", userID: "user-\(index)")
      #expect((0..<FlagBucket.buckets).contains(bucket))
    }
  }

  @Test("sequential ids do not alternate parity (the finalizer is applied)")
  func neighboursIndependent() {
    // With FNV-1a alone, "user-2k" and "user-2k+1" always land in buckets of opposite
    // parity (5000 of 5000 pairs); mixed, about half do.
    let differing = (0..<5_000).count(where: { pair in
      let even = FlagBucket.bucket(salt: "recs", userID: "user-\(2 * pair)")
      let odd = FlagBucket.bucket(salt: "recs", userID: "user-\(2 * pair + 1)")
      return even % 2 != odd % 2
    })
    #expect((2_250...2_750).contains(differing))
  }

  @Test("the rollout and variant buckets of a user are independent")
  func variantBucketIndependent() {
    // Among the users in the lowest tenth of rollout buckets, variant buckets still spread
    // over the whole range.
    let admitted = (0..<10_000).map { "user-\($0)" }.filter { FlagBucket.bucket(salt: "recs", userID: $0) < 1_000 }
    let lowerHalf = admitted.count(where: { FlagBucket.variantBucket(salt: "recs", userID: $0) < 5_000 })
    let share = Double(lowerHalf) / Double(admitted.count)
    #expect(abs(share - 0.5) < 0.05, "share \(share) of \(admitted.count)")
  }
}
