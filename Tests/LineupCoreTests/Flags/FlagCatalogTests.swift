import Foundation
import LineupCore
import Testing

@Suite("Flag catalog and defaults file")
struct FlagCatalogTests {
  private func parse(_ json: String) throws(LineupError) -> [String: FeatureFlag] {
    try FlagCatalog.parseDefaults(Data(json.utf8))
  }

  /// The violations' fields of a file that must be rejected.
  private func rejectedFields(_ json: String) -> [String] {
    do {
      let flags = try parse(json)
      Issue.record("expected INVALID_ARGUMENT, parsed \(flags.keys.sorted())")
      return []
    } catch {
      #expect(error.code == .invalidArgument)
      #expect(error.message.hasPrefix("invalid flag defaults file: "))
      return error.violations.map(\.field)
    }
  }

  @Test("the catalog names every capability once")
  func names() {
    #expect(
      FlagCatalog.names == [
        "recs", "feed", "pricing", "source.model", "source.covisitation", "source.trending", "source.new_creators",
      ])
    #expect(Set(FlagCatalog.names).count == FlagCatalog.names.count)
  }

  @Test("by default every capability is valid, on for everyone, salted with its name")
  func defaults() {
    let defaults = FlagCatalog.defaults()
    #expect(Set(defaults.keys) == Set(FlagCatalog.names))
    for (name, flag) in defaults {
      #expect(flag == FeatureFlag(name: name))
      #expect(flag.salt == name)
      #expect(flag.violations().isEmpty)
      for user in ["user-1", "user-2", "user-42", ""] {
        #expect(flag.evaluate(userID: user, country: "").result == .on)
      }
    }
  }

  @Test("an empty file keeps the defaults")
  func emptyFile() throws {
    #expect(try parse("[]") == FlagCatalog.defaults())
  }

  @Test("listed flags replace their defaults whole; missing keys take FeatureFlag's defaults")
  func overlay() throws {
    let flags = try parse(
      """
      [
        {"name": "recs", "rollout_bps": 500, "regions": ["BR", "PT"],
         "variants": [{"name": "control", "weight_bps": 5000}, {"name": "treatment"}, {"name": "holdout", "weight_bps": 5000}]},
        {"name": "pricing", "killed": true, "description": "margin incident"},
        {"name": "feed", "shadow": true, "salt": "feed-v2"}
      ]
      """)
    let recs = FeatureFlag(
      name: "recs", rolloutBps: 500, regions: ["BR", "PT"],
      variants: [
        FlagVariant(name: "control", weightBps: 5_000), FlagVariant(name: "treatment", weightBps: 0),
        FlagVariant(name: "holdout", weightBps: 5_000),
      ])
    #expect(flags["recs"] == recs)
    #expect(flags["pricing"] == FeatureFlag(name: "pricing", killed: true, description: "margin incident"))
    #expect(flags["feed"] == FeatureFlag(name: "feed", shadow: true, salt: "feed-v2"))
    #expect(flags["source.model"] == FeatureFlag(name: "source.model"))
    #expect(flags.count == FlagCatalog.names.count)
  }

  @Test("an empty or null salt means the name")
  func emptySalt() throws {
    let flags = try parse(#"[{"name": "recs", "salt": ""}, {"name": "feed", "salt": null}]"#)
    #expect(flags["recs"]?.salt == "recs")
    #expect(flags["feed"]?.salt == "feed")
  }

  @Test("unknown keys are ignored and unknown flag names are kept")
  func tolerance() throws {
    let flags = try parse(
      #"[{"name": "recs", "owner": "ranking-team", "rollout_bps": 100, "ticket": {"id": 7}}, {"name": "ranker.v2", "rollout_bps": 0}]"#
    )
    #expect(flags["recs"] == FeatureFlag(name: "recs", rolloutBps: 100))
    #expect(flags["ranker.v2"] == FeatureFlag(name: "ranker.v2", rolloutBps: 0))
    #expect(flags.count == FlagCatalog.names.count + 1)
  }

  @Test(
    "unreadable files are rejected at the top level",
    arguments: ["", "not json", "[{\"name\": \"recs\"", #"{"name": "recs"}"#, "null", "42"]
  )
  func unreadable(json: String) {
    #expect(rejectedFields(json) == ["flags"])
  }

  /// A file with one bad value and the field its violation must name.
  struct BadFile: Sendable, CustomTestStringConvertible {
    var field: String
    var json: String
    var testDescription: String { field }
  }

  static let badFiles: [BadFile] = [
    BadFile(field: "flags[0].rollout_bps", json: #"[{"name": "recs", "rollout_bps": 20000}]"#),
    BadFile(field: "flags[1].rollout_bps", json: #"[{"name": "recs"}, {"name": "feed", "rollout_bps": "50%"}]"#),
    BadFile(field: "flags[0].rollout_bps", json: #"[{"name": "recs", "rollout_bps": 12.5}]"#),
    BadFile(field: "flags[0].rollout_bps", json: #"[{"name": "recs", "rollout_bps": 1e30}]"#),
    BadFile(field: "flags[0].killed", json: #"[{"name": "recs", "killed": "yes"}]"#),
    BadFile(field: "flags[0].name", json: #"[{"rollout_bps": 100}]"#),
    BadFile(field: "flags[0].name", json: #"[{"name": "Recs"}]"#),
    BadFile(field: "flags[0].regions[1]", json: #"[{"name": "recs", "regions": ["BR", "usa"]}]"#),
    BadFile(field: "flags[0].regions", json: #"[{"name": "recs", "regions": "BR"}]"#),
    BadFile(
      field: "flags[0].variants[1].name",
      json: #"[{"name": "recs", "variants": [{"name": "a", "weight_bps": 5000}, {"weight_bps": 5000}]}]"#),
    BadFile(
      field: "flags[0].variants[0].weight_bps",
      json: #"[{"name": "recs", "variants": [{"name": "a", "weight_bps": "all"}]}]"#),
    BadFile(field: "flags[0].variants", json: #"[{"name": "recs", "variants": [{"name": "a", "weight_bps": 9000}]}]"#),
    BadFile(field: "flags[1]", json: #"[{"name": "recs"}, null]"#),
    BadFile(field: "flags[1]", json: #"[{"name": "recs"}, "feed"]"#),
    BadFile(field: "flags[2].name", json: #"[{"name": "recs"}, {"name": "feed"}, {"name": "recs", "killed": true}]"#),
  ]

  @Test("a bad value is rejected with its path in the file", arguments: badFiles)
  func badValue(_ bad: BadFile) {
    #expect(rejectedFields(bad.json) == [bad.field])
  }

  @Test("every rule violation in the file is reported at once")
  func allAtOnce() {
    let fields = rejectedFields(
      #"[{"name": "recs", "rollout_bps": -1, "regions": ["br"]}, {"name": "feed"}, {"name": "feed", "salt": "\#(String(repeating: "s", count: 129))"}]"#
    )
    #expect(fields == ["flags[0].rollout_bps", "flags[0].regions[0]", "flags[2].name", "flags[2].salt"])
  }

  @Test("the error names the file's problems in its message")
  func message() {
    do {
      _ = try parse(#"[{"name": "recs", "rollout_bps": 20000}]"#)
      Issue.record("expected INVALID_ARGUMENT")
    } catch {
      #expect(
        error.message == "invalid flag defaults file: flags[0].rollout_bps: must be 0…10000 (0.00%…100.00%), got 20000")
      #expect(error.cause == nil)
    }
  }
}
