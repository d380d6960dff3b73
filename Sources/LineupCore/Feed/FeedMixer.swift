/// Orders a feed page's candidates so personalized and trending items alternate by the
/// configured ratio (`RankingSettings.feedPersonalizedShareBps`, default 70% personalized):
/// position i takes a personalized item while fewer than ⌈(i + 1) × share⌉ have been taken,
/// else a trending one, and either side fills in when the other runs out. The guardrail
/// selector then picks the page from this order.
package enum FeedMixer {
  /// Personalized: proposed by the model or by co-visitation.
  static func isPersonal(_ candidate: RankedCandidate) -> Bool {
    candidate.contributions.contains { $0.source == .model || $0.source == .coVisitation }
  }

  package static func mix(_ ranked: [RankedCandidate], personalShareBps: Int) -> [RankedCandidate] {
    let personal = ranked.filter(isPersonal)
    let other = ranked.filter { !isPersonal($0) }
    let share = max(0, min(10_000, personalShareBps))
    var mixed: [RankedCandidate] = []
    mixed.reserveCapacity(ranked.count)
    var (p, o) = (0, 0)
    while p < personal.count || o < other.count {
      let wantPersonal = p * 10_000 < (mixed.count + 1) * share
      if (wantPersonal && p < personal.count) || o >= other.count {
        mixed.append(personal[p])
        p += 1
      } else {
        mixed.append(other[o])
        o += 1
      }
    }
    return mixed
  }
}
