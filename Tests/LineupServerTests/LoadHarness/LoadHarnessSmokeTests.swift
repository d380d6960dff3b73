import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LineupLoadKit
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

@Suite("Load harness smoke: the open-loop driver against an in-process server")
struct LoadHarnessSmokeTests {
  @Test("300 GetRecommendations at 300 rps are all sent, recorded from their intended times, and judged")
  func smoke() async throws {
    try await withLineupClient { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let recorder = LoadRecorder()
      let offsets = ArrivalSchedule.constant(rate: 300, duration: .seconds(1)).offsets()
      await OpenLoopDriver(maxInFlight: 64).run(
        offsets: offsets,
        send: { index in
          do {
            let response = try await recommender.getRecommendations(.with {
              $0.userID = "smoke-\(index % 50)"
              $0.context.country = ["BR", "US", "JP"][index % 3]
              $0.limit = 10
            })
            return RequestOutcome(rpc: "recs", status: "OK", source: response.provenance.source == .fallback ? "FALLBACK" : "MODEL")
          } catch let error as RPCError {
            return RequestOutcome(rpc: "recs", status: "\(error.code)")
          } catch {
            return RequestOutcome(rpc: "recs", status: "client-error")
          }
        },
        record: { _, intended, completed, outcome in recorder.record(outcome, intended: intended, completed: completed) }
      )
      let summary = RPCSummary(rpc: "recs", series: try #require(recorder.series["recs"]), seconds: 1)
      #expect(summary.requests == 300)
      #expect(summary.errors == 0)
      #expect(summary.sourceShares["FALLBACK"] == 1)
      // Functional, not a speed claim: the playbook ceilings hold even for a debug build.
      let budgets = Budgets(rpcs: ["recs": .init(p99Ms: 5_000, maxErrorRate: 0)])
      #expect(budgets.violations([summary]).isEmpty)
      let report = LoadReport(scenario: "smoke", mode: "open", summaries: [summary])
      #expect(report.table.contains("budgets: PASS"))
    }
  }
}
