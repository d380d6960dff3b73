/// SplitMix64: a fast, seedable generator, so request `index` (or synthetic record `n`) is
/// the same in every run with the same seed. Shared by the load harness and lineup-eval.
package struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64

  package init(seed: UInt64) { state = seed }

  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  package mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Draws an index with probability proportional to its weight, by binary search over the
/// cumulative weights (negative weights count as 0). Shared by the load harness's user
/// population and lineup-eval's synthetic popularity.
package struct WeightedSampler: Sendable {
  private let cumulative: [Double]

  package init(weights: [Double]) {
    var total = 0.0
    cumulative = weights.map {
      total += max(0, $0)
      return total
    }
  }

  /// The index for `unit` in [0, 1).
  package func sample(_ unit: Double) -> Int {
    let target = unit * (cumulative.last ?? 0)
    var low = 0
    var high = max(0, cumulative.count - 1)
    while low < high {
      let middle = (low + high) / 2
      if cumulative[middle] < target { low = middle + 1 } else { high = middle }
    }
    return low
  }
}
