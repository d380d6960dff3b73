import Testing

@testable import LineupCore

@Suite("Feed: mixing by ratio, cursors")
struct FeedMixerTests {
  static func candidate(_ id: String, source: CandidateSourceName) -> RankedCandidate {
    RankedCandidate(
      item: CandidateSourceTests.item(id), score: 1,
      contributions: [SourceContribution(source: source, sourceScore: 1, weight: 1, contribution: 1, reason: Reason(code: .modelScore, text: "", weight: 0))])
  }

  @Test("70% personalized: 7 of every 10 positions, in each side's own order; the other side fills when one runs out")
  func mix() {
    let personal = (0..<20).map { Self.candidate("p\($0)", source: $0 % 2 == 0 ? .model : .coVisitation) }
    let trending = (0..<20).map { Self.candidate("t\($0)", source: .trending) }
    let mixed = FeedMixer.mix(trending + personal, personalShareBps: 7_000)
    let firstTen = mixed.prefix(10).map(\.item.id)
    #expect(firstTen.count { $0.hasPrefix("p") } == 7)
    #expect(mixed.filter { $0.item.id.hasPrefix("p") }.map(\.item.id) == personal.map(\.item.id))
    #expect(mixed.filter { $0.item.id.hasPrefix("t") }.map(\.item.id) == trending.map(\.item.id))
    #expect(mixed.count == 40)
    #expect(FeedMixer.mix(trending, personalShareBps: 7_000).map(\.item.id) == trending.map(\.item.id))
  }

  @Test("cursors round-trip; anything else is not a cursor")
  func cursors() {
    let cursor = FeedCursor(sessionID: "s.with.dots", page: 3)
    #expect(FeedCursor.decode(cursor.encoded) == cursor)
    for bad in ["", "f1", "f2.1.s", "f1.-1.s", "f1.x.s", "f1.1.", "f1.99999999.s"] { #expect(FeedCursor.decode(bad) == nil) }
  }
}
