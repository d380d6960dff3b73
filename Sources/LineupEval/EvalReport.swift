import Foundation

/// The result of one offline evaluation: the personalized pipeline (GetRecommendations)
/// next to the popularity-by-country baseline (GetTrending less what the user has seen),
/// checked against the playbook's targets.
package struct EvalReport: Sendable, Codable {
  package var spec: DatasetSpec
  package var trainEvents: Int
  package var heldOutEvents: Int
  package var coldUsers: Int
  package var personalized: ArmMetrics
  package var baseline: ArmMetrics
  /// The ceiling of the planted structure (`OracleSlates`); context, not a target.
  package var oracle: ArmMetrics

  package init(
    spec: DatasetSpec, trainEvents: Int, heldOutEvents: Int, coldUsers: Int, personalized: ArmMetrics, baseline: ArmMetrics,
    oracle: ArmMetrics
  ) {
    self.spec = spec
    self.trainEvents = trainEvents
    self.heldOutEvents = heldOutEvents
    self.coldUsers = coldUsers
    self.personalized = personalized
    self.baseline = baseline
    self.oracle = oracle
  }

  /// Personalized NDCG@10 ÷ the baseline's (0 when the baseline scored 0 and so did we).
  package var ndcgLift: Double {
    baseline.ndcgAt10 > 0 ? personalized.ndcgAt10 / baseline.ndcgAt10 : (personalized.ndcgAt10 > 0 ? .infinity : 0)
  }

  /// One target of the playbook and whether this run met it.
  package struct Verdict: Sendable, Codable, Equatable {
    package var name: String
    package var target: Double
    package var measured: Double
    package var met: Bool { measured >= target }
  }

  /// The playbook's targets for the personalized pipeline.
  package var verdicts: [Verdict] {
    [
      Verdict(name: "NDCG@10 lift over baseline", target: 1.3, measured: ndcgLift),
      Verdict(name: "precision@10", target: 0.12, measured: personalized.precisionAt10),
      Verdict(name: "NDCG@10", target: 0.20, measured: personalized.ndcgAt10),
      Verdict(name: "catalog coverage", target: 0.40, measured: personalized.coverage),
      Verdict(name: "intra-list diversity", target: 0.6, measured: personalized.diversity),
    ]
  }

  package var allTargetsMet: Bool { verdicts.allSatisfy(\.met) }

  /// A Markdown table of both arms and the verdicts.
  package var markdown: String {
    func f(_ value: Double) -> String { String(format: "%.3f", value) }
    func sources(_ arm: ArmMetrics) -> String {
      arm.sources.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
    var lines = [
      "Dataset: \(spec.users) users, \(spec.items) items in \(spec.categories) categories, \(spec.creators) creators "
        + "(\(Int(spec.newCreatorShare * 100))% new), countries \(spec.countries.joined(separator: " ")), "
        + "\(spec.minEventsPerUser)–\(spec.maxEventsPerUser) events per user, preference strength \(spec.preferenceStrength), session stickiness \(spec.sessionStickiness), "
        + "Zipf \(spec.zipfExponent), seed \(spec.seed).",
      "Split: \(trainEvents) events loaded through RecordInteractions, the newest \(heldOutEvents) held out; "
        + "\(personalized.users) users evaluated, \(coldUsers) cold at the cut left out.",
      "",
      "| arm | P@10 | R@10 | NDCG@10 | coverage | diversity | new-creator share | slates by source |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for (name, arm) in [("personalized (GetRecommendations)", personalized), ("baseline (GetTrending by country)", baseline),
      ("ceiling (offline oracle, not served)", oracle),
    ] {
      lines.append(
        "| \(name) | \(f(arm.precisionAt10)) | \(f(arm.recallAt10)) | \(f(arm.ndcgAt10)) | \(f(arm.coverage)) | \(f(arm.diversity)) "
          + "| \(f(arm.newCreatorShare)) | \(sources(arm)) |")
    }
    lines += ["", "| target | wanted | measured | |", "| --- | ---: | ---: | --- |"]
    for verdict in verdicts {
      lines.append("| \(verdict.name) | ≥ \(f(verdict.target)) | \(f(verdict.measured)) | \(verdict.met ? "met" : "MISSED") |")
    }
    return lines.joined(separator: "\n")
  }
}
