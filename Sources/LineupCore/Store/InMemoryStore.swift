import Foundation
import Synchronization

/// The embedded store `make run` uses when no Redis is configured: everything in process
/// memory, lost on restart. It implements every store protocol with the same semantics as
/// the Redis-backed stores (expiries, decay, de-duplication, catalog versions) and passes
/// the same contract tests; deadlines are moot because nothing here waits.
package final class InMemoryStore: Sendable {
  /// Seconds since the epoch; injected so tests control expiry.
  private let now: @Sendable () -> Double
  private let state = Mutex(State())

  package init(now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
    self.now = now
  }

  /// All data, behind one lock: every operation is short and in memory.
  private struct State {
    var popularity: [CountryCode: (landmark: Double, scores: [String: Double])] = [:]
    var claims: [String: (done: Bool, expires: Double)] = [:]
    var seen: [String: (scores: [String: Double], expires: Double)] = [:]
    var coVisits: [String: (counts: [String: Double], expires: Double)] = [:]
    var creatorsFirstSeen: [String: Int64] = [:]
    var events: [StoredEvent] = []
    var catalogVersion: Int64 = 0
    var catalogItems: [String: (item: CatalogItem, version: Int64)] = [:]
    var candidates: [String: (candidates: ModelCandidates, expires: Double)] = [:]
    var responses: [ResponseCacheKey: (value: [UInt8], expires: Double)] = [:]
    var sessions: [String: (items: Set<String>, expires: Double)] = [:]
    var policies: [String: PricingPolicy] = [:]
    var features: [String: (values: [String: String], expires: Double)] = [:]
    var flags: [String: FeatureFlag] = [:]
    var breakerOverrides: [String: BreakerOverride] = [:]
    /// Oldest first, capped at `auditCap`.
    var audit: [AuditEntry] = []
    var lastAuditID: (ms: Int64, seq: Int64) = (0, 0)
  }

  private static func claimKey(_ event: Interaction) -> String { "\(event.userID)\u{0}\(event.eventID)" }
  private static func sessionKey(_ userID: String, _ sessionID: String) -> String { "\(userID)\u{0}\(sessionID)" }
}

// MARK: - Popularity

extension InMemoryStore: PopularityStore {
  package func topItems(in country: CountryCode, limit: Int, deadline: ContinuousClock.Instant) async throws -> [PopularityEntry] {
    let counts = state.withLock { $0.popularity[country]?.scores ?? [:] }
    return Self.ranked(counts, limit: limit, normalized: true)
  }

  package func addPopularity(_ increments: [PopularityIncrement], decay: PopularityDecay, deadline: ContinuousClock.Instant) async throws {
    let valid = increments.filter { $0.weight.isFinite && $0.weight > 0 && $0.at.isFinite }
    let byCountry = Dictionary(grouping: valid, by: \.country)
    state.withLock { state in
      for (country, increments) in byCountry {
        let newest = increments.map(\.at).max()!
        var entry = state.popularity[country] ?? (landmark: newest, scores: [:])
        // The same rescale rule as the Redis script (see PopularityDecay).
        let steps = decay.rescaleSteps(newest: newest, landmark: entry.landmark)
        if steps > 0 {
          let factor = Foundation.pow(2, -steps)
          entry.scores = entry.scores.mapValues { $0 * factor }
          entry.landmark += steps * decay.halfLife
        }
        for increment in increments {
          entry.scores[increment.itemID, default: 0] += increment.weight * decay.factor(at: increment.at, landmark: entry.landmark)
        }
        state.popularity[country] = entry
      }
    }
  }

  /// Highest first, ties by id (Redis orders equal scores by member, reversed for REV
  /// ranges; contract tests avoid ties). Non-positive scores are dropped.
  static func ranked(_ counts: [String: Double], limit: Int, normalized: Bool) -> [PopularityEntry] {
    guard limit > 0 else { return [] }
    let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key > $1.key }
      .prefix(limit)
      .filter { $0.value > 0 }
    guard let best = top.first?.value else { return [] }
    return top.map { PopularityEntry(itemID: $0.key, score: normalized ? $0.value / best : $0.value) }
  }
}

// MARK: - Interactions

extension InMemoryStore: InteractionStore {
  package func claim(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws -> ClaimResult {
    let now = now()
    return state.withLock { state in
      var outcomes: [ClaimOutcome] = []
      for event in events {
        let key = Self.claimKey(event)
        if let claim = state.claims[key], claim.expires > now {
          outcomes.append(claim.done ? .duplicate : .inFlight)
        } else {
          state.claims[key] = (done: false, expires: now + Double(settings.pendingClaimTTL))
          outcomes.append(.claimed)
        }
      }
      var recent: [String: [String]] = [:]
      for user in Set(events.map(\.userID)) {
        recent[user] = Self.recent(state.seen[user], now: now, limit: settings.coVisitationWindow)
      }
      return ClaimResult(outcomes: outcomes, recentItems: recent)
    }
  }

  package func apply(_ plan: IngestionPlan, settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws {
    try await addPopularity(plan.popularity, decay: PopularityDecay(halfLife: settings.popularityHalfLife), deadline: deadline)
    let now = now()
    state.withLock { state in
      for update in plan.seen {
        var entry = state.seen[update.userID].flatMap { $0.expires > now ? $0 : nil } ?? (scores: [:], expires: 0)
        entry.scores[update.itemID] = max(entry.scores[update.itemID] ?? 0, update.at)
        if entry.scores.count > settings.recentlySeenCap {
          // Keep the newest, as ZREMRANGEBYRANK does on Redis.
          let kept = entry.scores.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key > $1.key }.prefix(settings.recentlySeenCap)
          entry.scores = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
        }
        entry.expires = now + Double(settings.recentlySeenTTL)
        state.seen[update.userID] = entry
      }
      for visit in plan.coVisits {
        var entry = state.coVisits[visit.itemID].flatMap { $0.expires > now ? $0 : nil } ?? (counts: [:], expires: 0)
        entry.counts[visit.otherItemID, default: 0] += visit.count
        if entry.counts.count > settings.coVisitationCap {
          let kept = entry.counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key > $1.key }.prefix(settings.coVisitationCap)
          entry.counts = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
        }
        entry.expires = now + Double(settings.coVisitationTTL)
        state.coVisits[visit.itemID] = entry
      }
      for (creator, at) in plan.creatorsFirstSeen where state.creatorsFirstSeen[creator] == nil {
        state.creatorsFirstSeen[creator] = at
      }
      for event in plan.events {
        state.events.append(StoredEvent(
          eventID: event.eventID, userID: event.userID, itemID: event.itemID, type: event.type.name,
          timestamp: event.timestamp, country: event.context.country?.value ?? ""))
      }
      if state.events.count > settings.eventsStreamMaxLength {
        state.events.removeFirst(state.events.count - settings.eventsStreamMaxLength)
      }
      for user in plan.feedInvalidations {
        state.responses = state.responses.filter { key, _ in
          if case .feedPage(let owner, _) = key { return owner != user }
          return true
        }
      }
    }
  }

  package func complete(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws {
    let expires = now() + Double(settings.dedupeTTL)
    state.withLock { state in
      for event in events { state.claims[Self.claimKey(event)] = (done: true, expires: expires) }
    }
  }

  package func release(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws {
    state.withLock { state in
      for event in events where state.claims[Self.claimKey(event)]?.done == false {
        state.claims[Self.claimKey(event)] = nil
      }
    }
  }

  package func recentItems(of userID: String, limit: Int, deadline: ContinuousClock.Instant) async throws -> [String] {
    let now = now()
    return state.withLock { Self.recent($0.seen[userID], now: now, limit: limit) }
  }

  package func coVisited(withEach itemIDs: [String], limit: Int, deadline: ContinuousClock.Instant) async throws -> [String: [PopularityEntry]] {
    let now = now()
    let counts = state.withLock { state in
      itemIDs.map { state.coVisits[$0].flatMap { $0.expires > now ? $0.counts : nil } ?? [:] }
    }
    var result: [String: [PopularityEntry]] = [:]
    for (itemID, itemCounts) in zip(itemIDs, counts) { result[itemID] = Self.ranked(itemCounts, limit: limit, normalized: false) }
    return result
  }

  package func creatorsFirstSeen(_ creatorIDs: [String], deadline: ContinuousClock.Instant) async throws -> [String: Int64] {
    state.withLock { state in
      Dictionary(uniqueKeysWithValues: creatorIDs.compactMap { id in state.creatorsFirstSeen[id].map { (id, $0) } })
    }
  }

  package func latestEvents(limit: Int, deadline: ContinuousClock.Instant) async throws -> [StoredEvent] {
    state.withLock { Array($0.events.suffix(max(0, limit)).reversed()) }
  }

  private static func recent(_ entry: (scores: [String: Double], expires: Double)?, now: Double, limit: Int) -> [String] {
    guard let entry, entry.expires > now else { return [] }
    return ranked(entry.scores, limit: limit, normalized: false).map(\.itemID)
  }
}

// MARK: - Catalog

extension InMemoryStore: CatalogStore {
  package func upsert(_ items: [CatalogItem], deadline: ContinuousClock.Instant) async throws -> Int64 {
    state.withLock { state in
      state.catalogVersion += 1
      for item in items {
        let firstSeen = item.creatorFirstSeen ?? item.createdAt
        state.creatorsFirstSeen[item.creatorID] = min(state.creatorsFirstSeen[item.creatorID] ?? firstSeen, firstSeen)
        state.catalogItems[item.id] = (item, state.catalogVersion)
      }
      return state.catalogVersion
    }
  }

  package func catalogVersion(deadline: ContinuousClock.Instant) async throws -> Int64 {
    state.withLock { $0.catalogVersion }
  }

  package func changes(after version: Int64, limit: Int, deadline: ContinuousClock.Instant) async throws -> CatalogChanges {
    state.withLock { state in
      let changed = state.catalogItems.values.filter { $0.version > version }
        .sorted { ($0.version, $0.item.id) < ($1.version, $1.item.id) }
      // Whole versions only, as the Redis store pages: a page never splits a version.
      var page: [(item: CatalogItem, version: Int64)] = []
      for entry in changed {
        if page.count >= limit, let last = page.last, entry.version != last.version { break }
        page.append(entry)
      }
      let complete = page.count == changed.count
      let items = page.map { entry -> CatalogItem in
        var item = entry.item
        item.creatorFirstSeen = state.creatorsFirstSeen[item.creatorID] ?? item.creatorFirstSeen
        return item
      }
      return CatalogChanges(items: items, throughVersion: complete ? state.catalogVersion : (page.last?.version ?? version), isComplete: complete)
    }
  }
}

// MARK: - User state, response cache, feed sessions

extension InMemoryStore: UserStateStore, ResponseCacheStore, FeedSessionStore {
  package func userState(_ query: UserStateQuery, deadline: ContinuousClock.Instant) async throws -> UserState {
    let now = now()
    return state.withLock { state in
      var result = UserState()
      if query.candidateLimit > 0, let entry = state.candidates[query.userID], entry.expires > now {
        result.candidates = ModelCandidates(modelVersion: entry.candidates.modelVersion, items: Array(entry.candidates.items.prefix(query.candidateLimit)))
      }
      if query.checksCandidates {
        result.hasCandidates = state.candidates[query.userID].map { $0.expires > now && !$0.candidates.items.isEmpty } ?? false
      }
      if query.recentLimit > 0 { result.recentItems = Self.recent(state.seen[query.userID], now: now, limit: query.recentLimit) }
      if let key = query.cacheKey, let entry = state.responses[key], entry.expires > now { result.cachedResponse = entry.value }
      if let session = query.feedSessionID, let entry = state.sessions[Self.sessionKey(query.userID, session)], entry.expires > now {
        result.sessionServed = entry.items
      }
      return result
    }
  }

  package func putCandidates(_ candidates: ModelCandidates, for userID: String, ttlSeconds: Int?, deadline: ContinuousClock.Instant) async throws {
    let expires = ttlSeconds.map { now() + Double($0) } ?? .infinity
    let sorted = ModelCandidates(modelVersion: candidates.modelVersion, items: candidates.items.sorted { $0.score != $1.score ? $0.score > $1.score : $0.itemID > $1.itemID })
    state.withLock { $0.candidates[userID] = (sorted, expires) }
  }

  package func cachedResponse(for key: ResponseCacheKey, deadline: ContinuousClock.Instant) async throws -> [UInt8]? {
    let now = now()
    return state.withLock { state in state.responses[key].flatMap { $0.expires > now ? $0.value : nil } }
  }

  package func cacheResponse(_ value: [UInt8], for key: ResponseCacheKey, ttlSeconds: Int, deadline: ContinuousClock.Instant) async throws {
    let expires = now() + Double(ttlSeconds)
    state.withLock { $0.responses[key] = (value, expires) }
  }

  package func invalidateFeed(of userID: String, deadline: ContinuousClock.Instant) async throws {
    state.withLock { state in
      state.responses = state.responses.filter { key, _ in
        if case .feedPage(let owner, _) = key { return owner != userID }
        return true
      }
    }
  }

  package func servedItems(userID: String, sessionID: String, deadline: ContinuousClock.Instant) async throws -> Set<String> {
    let now = now()
    return state.withLock { state in state.sessions[Self.sessionKey(userID, sessionID)].flatMap { $0.expires > now ? $0.items : nil } ?? [] }
  }

  package func addServedItems(_ itemIDs: [String], userID: String, sessionID: String, ttlSeconds: Int, deadline: ContinuousClock.Instant) async throws {
    let now = now()
    state.withLock { state in
      let key = Self.sessionKey(userID, sessionID)
      var items = state.sessions[key].flatMap { $0.expires > now ? $0.items : nil } ?? []
      items.formUnion(itemIDs)
      state.sessions[key] = (items, now + Double(ttlSeconds))
    }
  }
}

// MARK: - Pricing

extension InMemoryStore: PricingStore {
  package func pricingPolicy(for productID: String, deadline: ContinuousClock.Instant) async throws -> PricingPolicy? {
    state.withLock { $0.policies[productID] }
  }

  package func putPricingPolicy(_ policy: PricingPolicy, deadline: ContinuousClock.Instant) async throws {
    if let problem = policy.problem {
      throw LineupError(code: .invalidArgument, message: "pricing policy for \(policy.productID): \(problem)")
    }
    state.withLock { $0.policies[policy.productID] = policy }
  }

  package func userFeatures(of userID: String, deadline: ContinuousClock.Instant) async throws -> [String: String] {
    let now = now()
    return state.withLock { state in state.features[userID].flatMap { $0.expires > now ? $0.values : nil } ?? [:] }
  }

  package func putUserFeatures(_ features: [String: String], for userID: String, ttlSeconds: Int, deadline: ContinuousClock.Instant) async throws {
    let expires = now() + Double(ttlSeconds)
    state.withLock { $0.features[userID] = (features, expires) }
  }
}

// MARK: - Control state

extension InMemoryStore: ControlStore {
  package func controlSnapshot(deadline: ContinuousClock.Instant) async throws -> ControlSnapshot {
    state.withLock { ControlSnapshot(flags: $0.flags, breakerOverrides: $0.breakerOverrides) }
  }

  package func saveFlag(_ flag: FeatureFlag, audit: AuditEntry, deadline: ContinuousClock.Instant) async throws -> String {
    state.withLock { state in
      state.flags[flag.name] = flag
      return Self.append(audit, to: &state, now: now())
    }
  }

  package func saveBreakerOverride(
    _ override: BreakerOverride, for name: String, audit: AuditEntry, deadline: ContinuousClock.Instant
  ) async throws -> String {
    state.withLock { state in
      state.breakerOverrides[name] = override == .auto ? nil : override
      return Self.append(audit, to: &state, now: now())
    }
  }

  package func appendAudit(_ entry: AuditEntry, deadline: ContinuousClock.Instant) async throws -> String {
    state.withLock { Self.append(entry, to: &$0, now: now()) }
  }

  package func auditEntries(limit: Int, beforeID: String?, deadline: ContinuousClock.Instant) async throws -> [AuditEntry] {
    let before = beforeID.flatMap(Self.streamID)
    return state.withLock { state in
      Array(
        state.audit.reversed().lazy.filter { entry in
          guard let before, let id = Self.streamID(entry.id) else { return true }
          return (id[0], id[1]) < (before[0], before[1])
        }.prefix(limit))
    }
  }

  /// Stream ids as Redis makes them: "<ms>-<seq>", strictly increasing.
  private static func append(_ entry: AuditEntry, to state: inout State, now: Double) -> String {
    let ms = Int64((now * 1_000).rounded(.down))
    state.lastAuditID = ms > state.lastAuditID.ms ? (ms, 0) : (state.lastAuditID.ms, state.lastAuditID.seq + 1)
    var stored = entry
    stored.id = "\(state.lastAuditID.ms)-\(state.lastAuditID.seq)"
    state.audit.append(stored)
    if state.audit.count > auditCap { state.audit.removeFirst(state.audit.count - auditCap) }
    return stored.id
  }

  private static func streamID(_ id: String) -> [Int64]? {
    let parts = id.split(separator: "-").compactMap { Int64($0) }
    return parts.count == 2 ? parts : nil
  }
}

// MARK: - Erasure

extension InMemoryStore: UserDataStore {
  package func deleteUserData(_ userID: String, deadline: ContinuousClock.Instant) async throws -> [String: Int] {
    state.withLock { state in
      var removed: [String: Int] = [:]
      let claimPrefix = "\(userID)\u{0}"
      let claims = state.claims.keys.filter { $0.hasPrefix(claimPrefix) }
      for key in claims { state.claims[key] = nil }
      removed[UserDataKind.history] = claims.count + (state.seen.removeValue(forKey: userID) == nil ? 0 : 1)
      let events = state.events.count
      state.events.removeAll { $0.userID == userID }
      removed[UserDataKind.events] = events - state.events.count
      removed[UserDataKind.candidates] = state.candidates.removeValue(forKey: userID) == nil ? 0 : 1
      let responses = state.responses.keys.filter { $0.userID == userID }
      for key in responses { state.responses[key] = nil }
      removed[UserDataKind.cachedResponses] = responses.count
      let sessions = state.sessions.keys.filter { $0.hasPrefix(claimPrefix) }
      for key in sessions { state.sessions[key] = nil }
      removed[UserDataKind.feedSessions] = sessions.count
      removed[UserDataKind.features] = state.features.removeValue(forKey: userID) == nil ? 0 : 1
      return removed
    }
  }
}
