import Foundation
package import LineupCore
package import LineupRedis

extension RedisStore: UserStateStore, ResponseCacheStore, FeedSessionStore {
  package func userState(_ query: UserStateQuery, deadline: ContinuousClock.Instant) async throws -> UserState {
    // Every key carries the user's hash tag: one pipeline, one node, one round trip.
    var commands: [RedisCommand] = []
    if query.candidateLimit > 0 {
      commands.append(RedisCommand("ZREVRANGE", RedisKeys.candidates(query.userID), "0", String(query.candidateLimit - 1), "WITHSCORES"))
      commands.append(RedisCommand("HGET", RedisKeys.candidatesMeta(query.userID), "model_version"))
    }
    // Whether the candidates are there, without reading them: O(1), no scores formatted.
    let checks = query.checksCandidates && query.candidateLimit == 0
    if checks { commands.append(RedisCommand("EXISTS", RedisKeys.candidates(query.userID))) }
    if query.recentLimit > 0 {
      commands.append(RedisCommand("ZREVRANGE", RedisKeys.recentlySeen(query.userID), "0", String(query.recentLimit - 1)))
    }
    if let key = query.cacheKey { commands.append(Self.cacheRead(key)) }
    if let session = query.feedSessionID {
      commands.append(RedisCommand("SMEMBERS", RedisKeys.feedSession(query.userID, session: session)))
    }
    guard !commands.isEmpty else { return UserState() }
    // The model pipeline writes the candidate keys, so a bad one (wrong type, a score that is
    // not a number) is the model source's failure: it leaves the rest of the state good and
    // is reported for the `source.model` breaker. Any other error reply fails the read.
    let modelReplies = query.candidateLimit > 0 ? 2 : 0
    var replies = try await run(commands, deadline: deadline, toleratingErrorsIn: 0..<modelReplies)[...]
    var state = UserState()
    if query.candidateLimit > 0 {
      let (members, version) = (replies.removeFirst(), replies.removeFirst())
      if let pairs = members.scoredMembers, version.isNull || version.string != nil {
        if !pairs.isEmpty {
          state.candidates = ModelCandidates(
            modelVersion: version.string ?? "unknown",
            items: pairs.filter { $0.score.isFinite }.map { PopularityEntry(itemID: $0.member, score: $0.score) }
          )
        }
      } else {
        state.modelCandidatesUnreadable = true
      }
      if query.checksCandidates { state.hasCandidates = state.candidates != nil || state.modelCandidatesUnreadable }
    }
    if checks {
      guard let exists = replies.removeFirst().integer else { throw Self.malformed("candidates check") }
      state.hasCandidates = exists > 0
    }
    if query.recentLimit > 0 {
      guard let items = replies.removeFirst().array?.compactMap(\.string) else { throw Self.malformed("recently seen items") }
      state.recentItems = items
    }
    if let key = query.cacheKey { state.cachedResponse = try Self.cacheValue(replies.removeFirst(), key: key) }
    if query.feedSessionID != nil {
      guard let items = replies.removeFirst().array?.compactMap(\.string) else { throw Self.malformed("feed session") }
      state.sessionServed = Set(items)
    }
    return state
  }

  package func putCandidates(_ candidates: ModelCandidates, for userID: String, ttlSeconds: Int?, deadline: ContinuousClock.Instant) async throws {
    let key = RedisKeys.candidates(userID)
    let meta = RedisKeys.candidatesMeta(userID)
    var commands = [RedisCommand("MULTI"), RedisCommand("DEL", key, meta)]
    if !candidates.items.isEmpty {
      commands.append(RedisCommand("ZADD", [key] + candidates.items.flatMap { [$0.score.redisArgument, $0.itemID] }))
    }
    commands.append(RedisCommand("HSET", meta, "model_version", candidates.modelVersion))
    if let ttlSeconds {
      commands.append(RedisCommand("EXPIRE", key, String(ttlSeconds)))
      commands.append(RedisCommand("EXPIRE", meta, String(ttlSeconds)))
    }
    commands.append(RedisCommand("EXEC"))
    try await run(commands, deadline: deadline)
  }

  package func cachedResponse(for key: ResponseCacheKey, deadline: ContinuousClock.Instant) async throws -> [UInt8]? {
    try Self.cacheValue(try await run([Self.cacheRead(key)], deadline: deadline)[0], key: key)
  }

  package func cacheResponse(_ value: [UInt8], for key: ResponseCacheKey, ttlSeconds: Int, deadline: ContinuousClock.Instant) async throws {
    switch key {
    case .recommendations(let user, let fingerprint):
      try await run([RedisCommand(bytes: [Array("SET".utf8), Array(RedisKeys.cachedRecommendations(user, fingerprint: fingerprint).utf8), value, Array("EX".utf8), Array(String(ttlSeconds).utf8)])], deadline: deadline)
    case .price(let user, let product, let fingerprint):
      try await run([RedisCommand(bytes: [Array("SET".utf8), Array(RedisKeys.cachedPrice(user, product: product, fingerprint: fingerprint).utf8), value, Array("EX".utf8), Array(String(ttlSeconds).utf8)])], deadline: deadline)
    case .feedPage(let user, let page):
      // Hash fields have no TTL of their own on Redis 7.0: each value carries its expiry
      // (8 bytes, big-endian epoch milliseconds), and the hash expires with its newest page.
      let expiry = epochMilliseconds(after: ttlSeconds)
      let stamped = withUnsafeBytes(of: expiry.bigEndian, Array.init) + value
      let hash = Array(RedisKeys.cachedFeed(user).utf8)
      try await run([
        RedisCommand(bytes: [Array("HSET".utf8), hash, Array(page.utf8), stamped]),
        RedisCommand(bytes: [Array("EXPIRE".utf8), hash, Array(String(ttlSeconds).utf8)]),
      ], deadline: deadline)
    }
  }

  package func invalidateFeed(of userID: String, deadline: ContinuousClock.Instant) async throws {
    try await run([RedisCommand("DEL", RedisKeys.cachedFeed(userID))], deadline: deadline)
  }

  package func servedItems(userID: String, sessionID: String, deadline: ContinuousClock.Instant) async throws -> Set<String> {
    let reply = try await run([RedisCommand("SMEMBERS", RedisKeys.feedSession(userID, session: sessionID))], deadline: deadline)[0]
    guard let items = reply.array?.compactMap(\.string) else { throw Self.malformed("feed session") }
    return Set(items)
  }

  package func addServedItems(_ itemIDs: [String], userID: String, sessionID: String, ttlSeconds: Int, deadline: ContinuousClock.Instant) async throws {
    let key = RedisKeys.feedSession(userID, session: sessionID)
    var commands: [RedisCommand] = []
    if !itemIDs.isEmpty { commands.append(RedisCommand("SADD", [key] + itemIDs)) }
    commands.append(RedisCommand("EXPIRE", key, String(ttlSeconds)))
    try await run(commands, deadline: deadline)
  }

  private static func cacheRead(_ key: ResponseCacheKey) -> RedisCommand {
    switch key {
    case .recommendations(let user, let fingerprint): RedisCommand("GET", RedisKeys.cachedRecommendations(user, fingerprint: fingerprint))
    case .price(let user, let product, let fingerprint): RedisCommand("GET", RedisKeys.cachedPrice(user, product: product, fingerprint: fingerprint))
    case .feedPage(let user, let page): RedisCommand("HGET", RedisKeys.cachedFeed(user), page)
    }
  }

  /// The cached bytes of a cache read's reply; nil on a miss or an expired feed page.
  private static func cacheValue(_ reply: RESPValue, key: ResponseCacheKey) throws(RedisError) -> [UInt8]? {
    if reply.isNull { return nil }
    guard let bytes = reply.bytes else { throw malformed("cached response") }
    guard case .feedPage = key else { return bytes }
    guard bytes.count >= 8 else { throw malformed("cached feed page") }
    let expiry = bytes.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    return epochMilliseconds(after: 0) < expiry ? Array(bytes.dropFirst(8)) : nil
  }
}

/// Wall-clock epoch milliseconds `seconds` from now. Stored expiries must survive restarts
/// and compare across replicas, so they are wall-clock, not monotonic.
private func epochMilliseconds(after seconds: Int) -> Int64 {
  Int64((Date().timeIntervalSince1970 + Double(seconds)) * 1000)
}
