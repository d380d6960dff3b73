/// What a flag decided for a user. Mirrors `lineup.v1.FlagResult`.
package enum FlagResult: String, Sendable, Codable {
  /// The capability serves.
  case on
  /// The baseline serves.
  case off
  /// The baseline serves; the capability is computed alongside and the difference recorded.
  case shadow
}

/// The outcome of evaluating one flag for one user: the decision, why, the experiment
/// variant, and the user's bucket (so a log line or an explanation shows where the user
/// sits). Mirrors `lineup.v1.FlagDecision` plus the variant and the bucket.
package struct FlagEvaluation: Sendable, Equatable {
  /// The flag's name.
  package var flag: String
  package var result: FlagResult
  /// One of `FlagEvaluation.Reason`'s values.
  package var reason: String
  /// The variant's name; "" when the result is off or the flag has no variants.
  package var variant: String
  /// `FlagBucket.bucket(salt:userID:)`, computed whatever the result.
  package var bucket: Int

  package init(flag: String, result: FlagResult, reason: String, variant: String, bucket: Int) {
    self.flag = flag
    self.result = result
    self.reason = reason
    self.variant = variant
    self.bucket = bucket
  }

  /// The reasons an evaluation gives, one per rule of the evaluation order. Stable strings:
  /// they appear in responses and as metric labels.
  package enum Reason {
    /// The kill switch is on.
    package static let killed = "killed"
    /// The flag lists regions and the user's country is not one of them (or is unknown).
    package static let regionNotTargeted = "region_not_targeted"
    /// The user's bucket is at or above the rollout.
    package static let rolloutExcluded = "rollout_excluded"
    /// The user's bucket is below the rollout.
    package static let rolloutIncluded = "rollout_included"
    /// As `rolloutIncluded`, in shadow mode.
    package static let shadow = "shadow"
  }
}

extension FeatureFlag {
  /// Evaluates the flag for a user, rules in this order (docs/flags.md): killed → off;
  /// regions set and `country` (any case) not among them → off; bucket >= rolloutBps → off;
  /// otherwise shadow in shadow mode, else on. A variant is picked only for on and shadow.
  /// Total for any flag, valid or not, so a bad stored flag never traps a request.
  ///
  /// A full rollout says "rollout_included" like any other: a flag at 100% is one step of a
  /// rollout, and one reason per rule keeps the reasons easy to reproduce and to chart.
  package func evaluate(userID: String, country: String) -> FlagEvaluation {
    let bucket = FlagBucket.bucket(salt: salt, userID: userID)
    func off(_ reason: String) -> FlagEvaluation {
      FlagEvaluation(flag: name, result: .off, reason: reason, variant: "", bucket: bucket)
    }
    if killed { return off(FlagEvaluation.Reason.killed) }
    // An empty or malformed country is in no region: a targeted capability is not served
    // where we cannot tell the user is inside the target.
    if !regions.isEmpty {
      guard let code = CountryCode(country), regions.contains(code.value) else {
        return off(FlagEvaluation.Reason.regionNotTargeted)
      }
    }
    if bucket >= rolloutBps { return off(FlagEvaluation.Reason.rolloutExcluded) }
    return FlagEvaluation(
      flag: name,
      result: shadow ? .shadow : .on,
      reason: shadow ? FlagEvaluation.Reason.shadow : FlagEvaluation.Reason.rolloutIncluded,
      variant: variant(forUserID: userID),
      bucket: bucket
    )
  }

  /// The variant of a user admitted to the flag: the first, in listed order, whose
  /// cumulative weight exceeds the user's variant bucket; "" without variants (and, for an
  /// invalid flag whose weights fall short of 10000, for buckets past their sum).
  package func variant(forUserID userID: String) -> String {
    guard !variants.isEmpty else { return "" }
    let bucket = FlagBucket.variantBucket(salt: salt, userID: userID)
    var cumulative = 0
    for variant in variants {
      // Clamped so an invalid weight can neither overflow nor move the boundary backwards.
      cumulative += min(max(variant.weightBps, 0), FlagBucket.buckets)
      if bucket < cumulative { return variant.name }
    }
    return ""
  }
}
