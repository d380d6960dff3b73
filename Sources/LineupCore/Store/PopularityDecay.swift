import Foundation

/// Forward time decay for popularity counters (Cormode et al., "Forward Decay"): an event of
/// weight w at time t adds w·2^((t − L)/h) to its item, where L is a landmark time stored
/// beside the counters and h the half-life. Old events never need rewriting, yet ranking by
/// the stored score equals ranking by decayed popularity at any read time, because every
/// score shares the factor 2^(−(now − L)/h). When new increments are more than
/// `rescaleSteps` half-lives past L, every score is multiplied by 2^(−steps) and L moves
/// forward, so scores never overflow a double. The in-memory store and the Redis script
/// (RedisScripts.decayedIncrement) implement exactly this.
package struct PopularityDecay: Sendable, Equatable {
  /// Seconds for a weight to halve.
  package var halfLife: Double
  /// Half-lives past the landmark after which scores are rescaled. 32 keeps scores within
  /// 2^32 of the increment weights.
  package static let rescaleSteps = 32.0

  package init(halfLife: Double) {
    self.halfLife = halfLife
  }

  /// The multiplier for a weight at time `at` against landmark `landmark`.
  package func factor(at: Double, landmark: Double) -> Double {
    guard halfLife > 0 else { return 1 }
    return pow(2, (at - landmark) / halfLife)
  }

  /// Whole half-lives to move the landmark forward before adding increments as of `newest`;
  /// 0 when no rescale is due.
  package func rescaleSteps(newest: Double, landmark: Double) -> Double {
    guard halfLife > 0 else { return 0 }
    let steps = ((newest - landmark) / halfLife).rounded(.down)
    return steps > Self.rescaleSteps ? steps : 0
  }
}
