/// How many requests a user and a calling app may make, as token buckets (`RateLimiter`):
/// each key may burst up to its burst size, then is held to its steady rate. A rate of 0
/// turns that scope's limit off.
package struct RateLimitSettings: Sendable, Equatable {
  /// Requests one user may make per minute, refilled continuously (one every 0.6 s at the
  /// default). Default 100; 0 disables per-user limiting.
  package var perUserPerMinute = 100
  /// Requests a user who has been idle may make at once; nil means `perUserPerMinute`, a
  /// full minute's allowance. Default nil.
  package var userBurst: Int? = nil
  /// Requests per second one calling app may make, summed over all its users. Default 0
  /// (disabled): apps are trusted until one needs reining in.
  package var perAppPerSecond = 0
  /// Requests an idle app may make at once; nil means `perAppPerSecond`, one second's
  /// allowance. Default nil.
  package var appBurst: Int? = nil
  /// Keys each limiter remembers; past this it forgets the keys it knows least about (see
  /// `RateLimiter`). Default 100,000: about 170 bytes per key for ids of up to 15 bytes and
  /// 320 for 36-byte UUIDs (measured), so 17–32 MB per limiter at worst. At the default
  /// rate and burst a user's bucket is full, and forgettable, a minute after their last
  /// request, so this only binds when more users than that are active within one minute.
  package var maxTrackedKeys = 100_000

  package init() {}

  /// The user bucket's capacity: `userBurst`, or a minute's allowance.
  package var effectiveUserBurst: Int { userBurst ?? perUserPerMinute }
  /// The app bucket's capacity: `appBurst`, or a second's allowance.
  package var effectiveAppBurst: Int { appBurst ?? perAppPerSecond }

  /// Why these settings cannot drive the limiters, naming the field, or nil when they can.
  package var problem: String? {
    if perUserPerMinute < 0 { return "perUserPerMinute \(perUserPerMinute) must be 0 (off) or more" }
    // A burst below 1 would refuse every request while claiming to allow some.
    if let userBurst, userBurst < 1 { return "userBurst \(userBurst) must be at least 1 (or unset)" }
    if perAppPerSecond < 0 { return "perAppPerSecond \(perAppPerSecond) must be 0 (off) or more" }
    if let appBurst, appBurst < 1 { return "appBurst \(appBurst) must be at least 1 (or unset)" }
    if maxTrackedKeys < 1 { return "maxTrackedKeys \(maxTrackedKeys) must be at least 1" }
    return nil
  }
}
