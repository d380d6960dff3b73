import Foundation
import LineupCore
import Testing

@Suite("Feature flag validation")
struct FeatureFlagTests {
  static let split = [
    FlagVariant(name: "control", weightBps: 5_000), FlagVariant(name: "treatment_b", weightBps: 5_000),
  ]

  @Test("a flag using every rule's edge is valid")
  func valid() {
    let flag = FeatureFlag(
      name: "source.new_creators-2", rolloutBps: 0, regions: ["BR", "PT"], shadow: true,
      variants: [FlagVariant(name: "a", weightBps: 0), FlagVariant(name: "b-1_x", weightBps: 10_000)],
      salt: String(repeating: "s", count: 128), description: String(repeating: "d", count: 1_024))
    #expect(flag.violations().isEmpty)
    #expect(FeatureFlag(name: String(repeating: "n", count: 64), rolloutBps: 10_000).violations().isEmpty)
    #expect(FeatureFlag(name: "recs", variants: Self.split).violations().isEmpty)
  }

  @Test("the salt defaults to the name, everything else to on for everyone")
  func defaults() {
    let flag = FeatureFlag(name: "recs")
    #expect(flag.salt == "recs")
    #expect(!flag.killed && !flag.shadow)
    #expect(flag.rolloutBps == 10_000)
    #expect(flag.regions.isEmpty && flag.variants.isEmpty)
    #expect(flag.description == "" && flag.updatedAt == nil && flag.updatedBy == "")
  }

  /// One bad flag and the fields its violations must name.
  struct BadFlag: Sendable, CustomTestStringConvertible {
    var fields: [String]
    var flag: FeatureFlag
    var testDescription: String { fields.joined(separator: ", ") }
  }

  static let badFlags: [BadFlag] = [
    BadFlag(fields: ["flag.name"], flag: FeatureFlag(name: "", salt: "s")),
    BadFlag(fields: ["flag.name"], flag: FeatureFlag(name: "Recs")),
    BadFlag(fields: ["flag.name"], flag: FeatureFlag(name: "recs v2")),
    BadFlag(fields: ["flag.name"], flag: FeatureFlag(name: "récs")),
    BadFlag(fields: ["flag.name"], flag: FeatureFlag(name: String(repeating: "n", count: 65), salt: "s")),
    BadFlag(fields: ["flag.rollout_bps"], flag: FeatureFlag(name: "recs", rolloutBps: -1)),
    BadFlag(fields: ["flag.rollout_bps"], flag: FeatureFlag(name: "recs", rolloutBps: 10_001)),
    BadFlag(fields: ["flag.regions[0]"], flag: FeatureFlag(name: "recs", regions: ["br"])),
    BadFlag(fields: ["flag.regions[1]"], flag: FeatureFlag(name: "recs", regions: ["BR", "BRA"])),
    BadFlag(fields: ["flag.regions[1]"], flag: FeatureFlag(name: "recs", regions: ["BR", ""])),
    BadFlag(fields: ["flag.regions[2]"], flag: FeatureFlag(name: "recs", regions: ["BR", "PT", "BR"])),
    BadFlag(
      fields: ["flag.variants[1].name"],
      flag: FeatureFlag(
        name: "recs", variants: [FlagVariant(name: "a", weightBps: 5_000), FlagVariant(name: "", weightBps: 5_000)])),
    BadFlag(
      fields: ["flag.variants[0].name"],
      flag: FeatureFlag(name: "recs", variants: [FlagVariant(name: "a.b", weightBps: 10_000)])),
    BadFlag(
      fields: ["flag.variants[0].name"],
      flag: FeatureFlag(
        name: "recs", variants: [FlagVariant(name: String(repeating: "v", count: 65), weightBps: 10_000)])),
    BadFlag(
      fields: ["flag.variants[1].name"],
      flag: FeatureFlag(
        name: "recs", variants: [FlagVariant(name: "a", weightBps: 5_000), FlagVariant(name: "a", weightBps: 5_000)])),
    BadFlag(
      fields: ["flag.variants[0].weight_bps"],
      flag: FeatureFlag(
        name: "recs", variants: [FlagVariant(name: "a", weightBps: -1), FlagVariant(name: "b", weightBps: 10_001)])),
    BadFlag(
      fields: ["flag.variants"],
      flag: FeatureFlag(
        name: "recs", variants: [FlagVariant(name: "a", weightBps: 5_000), FlagVariant(name: "b", weightBps: 4_999)])),
    BadFlag(
      fields: ["flag.variants"], flag: FeatureFlag(name: "recs", variants: [FlagVariant(name: "a", weightBps: 10_001)])),
    BadFlag(
      fields: ["flag.variants"],
      flag: FeatureFlag(
        name: "recs", variants: [FlagVariant(name: "a", weightBps: .max), FlagVariant(name: "b", weightBps: .max)])),
    BadFlag(fields: ["flag.salt"], flag: FeatureFlag(name: "recs", salt: String(repeating: "s", count: 129))),
    BadFlag(
      fields: ["flag.description"], flag: FeatureFlag(name: "recs", description: String(repeating: "é", count: 513))),
  ]

  @Test("each bad field is named", arguments: badFlags)
  func namesField(_ bad: BadFlag) {
    #expect(bad.flag.violations().map(\.field) == bad.fields)
  }

  @Test("every problem is reported at once, in field order")
  func allAtOnce() {
    var flag = FeatureFlag(
      name: "Bad Name", rolloutBps: 20_000, regions: ["us", "US", "US"],
      variants: [FlagVariant(name: "x", weightBps: -10), FlagVariant(name: "x", weightBps: 20)],
      salt: String(repeating: "s", count: 200), description: String(repeating: "d", count: 2_000))
    flag.updatedBy = "ignored: set by the server"
    #expect(
      flag.violations().map(\.field) == [
        "flag.name", "flag.rollout_bps", "flag.regions[0]", "flag.regions[2]",
        "flag.variants[0].weight_bps", "flag.variants[1].name", "flag.variants", "flag.salt", "flag.description",
      ])
    #expect(flag.violations(at: "flags[3]").first?.field == "flags[3].name")
  }

  @Test("messages say what is wrong and what would be right")
  func messages() {
    let found = FeatureFlag(name: "recs", rolloutBps: 12_000, regions: ["BR", "BR"]).violations()
    #expect(
      found.map(\.description) == [
        "must be 0…10000 (0.00%…100.00%), got 12000",
        "BR is already regions[0]; list each country once",
      ])
    let huge = FeatureFlag(name: String(repeating: "X", count: 100_000)).violations()
    #expect(huge.count == 2)  // name, and the salt that defaulted to it
    #expect(huge.allSatisfy { $0.description.utf8.count < 200 })
  }

  @Test("a flag round-trips through JSON with the proto's snake_case keys")
  func codableRoundTrip() throws {
    var flag = FeatureFlag(
      name: "recs", killed: true, rolloutBps: 2_500, regions: ["BR"], shadow: true, variants: Self.split,
      salt: "recs-2026-q3", description: "ranker v2")
    flag.updatedAt = 1_780_000_000.5
    flag.updatedBy = "ops@example.com"
    let data = try JSONEncoder().encode(flag)
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(
      Set(object.keys) == [
        "name", "killed", "rollout_bps", "regions", "shadow", "variants", "salt", "description", "updated_at",
        "updated_by",
      ])
    #expect((object["variants"] as? [[String: Any]])?.first?.keys.sorted() == ["name", "weight_bps"])
    #expect(try JSONDecoder().decode(FeatureFlag.self, from: data) == flag)
  }

  @Test("FlagResult's raw values are the proto's names in lower case")
  func resultNames() {
    #expect([FlagResult.on, .off, .shadow].map(\.rawValue) == ["on", "off", "shadow"])
  }
}
