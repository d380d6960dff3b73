import LineupCore
import Testing

@Suite("Request rate limits and their settings")
struct RequestRateLimitsTests {
  @Test("by default a user gets 100 a minute, apps are unlimited, and other users are unaffected")
  func defaults() {
    let clock = SetTestClock()
    let limits = RequestRateLimits(settings: RateLimitSettings(), clock: clock.read)
    for _ in 0..<100 { #expect(limits.check(userID: "u1", appID: "app") == nil) }
    let rejection = limits.check(userID: "u1", appID: "app")
    #expect(rejection?.scope == "user")
    #expect(isNear(rejection?.retryAfterSeconds, 0.6))
    #expect(limits.check(userID: "u2", appID: "app") == nil)
    clock.set(0.6)
    #expect(limits.check(userID: "u1", appID: "app") == nil)
  }

  @Test("a request without an id for a scope is not limited by it", arguments: [nil, ""] as [String?])
  func missingIDs(id: String?) {
    var settings = RateLimitSettings()
    settings.perUserPerMinute = 1
    settings.perAppPerSecond = 1
    let limits = RequestRateLimits(settings: settings, clock: SetTestClock().read)
    for _ in 0..<10 { #expect(limits.check(userID: id, appID: id) == nil) }
    // With only the app id missing, the user limit still applies, and the other way round.
    #expect(limits.check(userID: "u", appID: id) == nil)
    #expect(limits.check(userID: "u", appID: id)?.scope == "user")
    #expect(limits.check(userID: id, appID: "a") == nil)
    #expect(limits.check(userID: id, appID: "a")?.scope == "app")
  }

  @Test("an app's limit covers all its users; burst and rate come from the settings")
  func appScope() {
    let clock = SetTestClock()
    var settings = RateLimitSettings()
    settings.perUserPerMinute = 0
    settings.perAppPerSecond = 2
    settings.appBurst = 4
    let limits = RequestRateLimits(settings: settings, clock: clock.read)
    for user in ["u1", "u2", "u3", "u4"] { #expect(limits.check(userID: user, appID: "a") == nil) }
    #expect(limits.check(userID: "u5", appID: "a") == RateLimitRejection(scope: "app", retryAfterSeconds: 0.5))
    #expect(limits.check(userID: "u5", appID: "b") == nil)
    clock.set(0.5)
    #expect(limits.check(userID: "u5", appID: "a") == nil)
  }

  @Test("a user burst other than a minute's allowance")
  func userBurst() {
    var settings = RateLimitSettings()
    settings.perUserPerMinute = 60
    settings.userBurst = 5
    let limits = RequestRateLimits(settings: settings, clock: SetTestClock().read)
    for _ in 0..<5 { #expect(limits.check(userID: "u", appID: nil) == nil) }
    #expect(limits.check(userID: "u", appID: nil) == RateLimitRejection(scope: "user", retryAfterSeconds: 1))
  }

  @Test("a request the user limit refuses gives its app token back, so one user cannot exhaust the app")
  func userRefusalRefundsApp() {
    var settings = RateLimitSettings()
    settings.perUserPerMinute = 1
    settings.perAppPerSecond = 3
    let limits = RequestRateLimits(settings: settings, clock: SetTestClock().read)
    #expect(limits.check(userID: "abuser", appID: "a") == nil)
    for _ in 0..<20 { #expect(limits.check(userID: "abuser", appID: "a")?.scope == "user") }
    #expect(limits.check(userID: "v", appID: "a") == nil)
    #expect(limits.check(userID: "w", appID: "a") == nil)
    #expect(limits.check(userID: "x", appID: "a")?.scope == "app")
  }

  @Test("with both scopes off nothing is limited")
  func bothOff() {
    var settings = RateLimitSettings()
    settings.perUserPerMinute = 0
    let limits = RequestRateLimits(settings: settings, clock: SetTestClock().read)
    for _ in 0..<1_000 { #expect(limits.check(userID: "u", appID: "a") == nil) }
  }

  @Test("the defaults are sound and documented values")
  func defaultSettings() {
    let settings = RateLimitSettings()
    #expect(settings.problem == nil)
    #expect(settings.perUserPerMinute == 100 && settings.userBurst == nil && settings.effectiveUserBurst == 100)
    #expect(settings.perAppPerSecond == 0 && settings.appBurst == nil && settings.effectiveAppBurst == 0)
    #expect(settings.maxTrackedKeys == 100_000)
  }

  /// The defaults with one change.
  static func settings(_ change: (inout RateLimitSettings) -> Void) -> RateLimitSettings {
    var settings = RateLimitSettings()
    change(&settings)
    return settings
  }

  static let badSettings: [(field: String, settings: RateLimitSettings)] = [
    ("perUserPerMinute", settings { $0.perUserPerMinute = -1 }),
    ("userBurst", settings { $0.userBurst = 0 }),
    ("perAppPerSecond", settings { $0.perAppPerSecond = -5 }),
    ("appBurst", settings { $0.appBurst = -1 }),
    ("maxTrackedKeys", settings { $0.maxTrackedKeys = 0 }),
  ]

  @Test("a bad setting is reported by name", arguments: badSettings)
  func problemNamesTheField(field: String, settings: RateLimitSettings) {
    #expect(settings.problem?.hasPrefix(field + " ") == true)
  }
}
