package import LineupCore
package import LineupRedis

extension RedisStore: InteractionStore {
  package func claim(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws -> ClaimResult {
    var commands: [RedisCommand] = []
    for event in events {
      let key = RedisKeys.eventMarker(user: event.userID, event: event.eventID)
      commands.append(RedisCommand("SET", key, "p", "NX", "EX", String(settings.pendingClaimTTL)))
      commands.append(RedisCommand("GET", key))
    }
    // Co-visitation needs each user's recent items before the batch; none with a zero window.
    let users = settings.coVisitationWindow > 0 ? Array(Set(events.map(\.userID))).sorted() : []
    for user in users {
      commands.append(RedisCommand("ZREVRANGE", RedisKeys.recentlySeen(user), "0", String(settings.coVisitationWindow - 1)))
    }
    let replies = try await run(commands, deadline: deadline)
    var outcomes: [ClaimOutcome] = []
    for index in events.indices {
      let (set, marker) = (replies[2 * index], replies[2 * index + 1])
      if set == .status("OK") {
        outcomes.append(.claimed)
      } else if marker.string == "d" {
        outcomes.append(.duplicate)
      } else {
        // Pending elsewhere, or expired between the two commands: either way, retry later.
        outcomes.append(.inFlight)
      }
    }
    var recent: [String: [String]] = [:]
    for (offset, user) in users.enumerated() {
      guard let items = replies[2 * events.count + offset].array?.compactMap(\.string) else {
        throw Self.malformed("recently seen items of a user")
      }
      recent[user] = items
    }
    return ClaimResult(outcomes: outcomes, recentItems: recent)
  }

  package func apply(_ plan: IngestionPlan, settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws {
    var commands = Self.popularityCommands(plan.popularity, decay: PopularityDecay(halfLife: settings.popularityHalfLife))
    for (user, updates) in Dictionary(grouping: plan.seen, by: \.userID).sorted(by: { $0.key < $1.key }) {
      let key = RedisKeys.recentlySeen(user)
      // GT: a late-arriving older event never moves an item back in time.
      commands.append(RedisCommand("ZADD", [key, "GT"] + updates.flatMap { [$0.at.redisArgument, $0.itemID] }))
      commands.append(RedisCommand("ZREMRANGEBYRANK", key, "0", String(-(settings.recentlySeenCap + 1))))
      commands.append(RedisCommand("EXPIRE", key, String(settings.recentlySeenTTL)))
    }
    for (item, visits) in Dictionary(grouping: plan.coVisits, by: \.itemID).sorted(by: { $0.key < $1.key }) {
      let key = RedisKeys.coVisits(item)
      for visit in visits { commands.append(RedisCommand("ZINCRBY", key, visit.count.redisArgument, visit.otherItemID)) }
      commands.append(RedisCommand("ZREMRANGEBYRANK", key, "0", String(-(settings.coVisitationCap + 1))))
      commands.append(RedisCommand("EXPIRE", key, String(settings.coVisitationTTL)))
    }
    for (creator, at) in plan.creatorsFirstSeen.sorted(by: { $0.key < $1.key }) {
      commands.append(RedisCommand("HSETNX", RedisKeys.creatorsFirstSeen, creator, String(at)))
    }
    for event in plan.events {
      commands.append(RedisCommand("XADD", [
        RedisKeys.events, "MAXLEN", "~", String(settings.eventsStreamMaxLength), "*",
        "event_id", event.eventID, "user_id", event.userID, "item_id", event.itemID, "type", event.type.name,
        "ts", event.timestamp.redisArgument, "country", event.context.country?.value ?? "",
        "platform", String(event.context.platform.rawValue), "session_id", event.context.sessionID,
        "app_id", event.appID, "watch_seconds", event.watchSeconds.redisArgument, "gift_amount", String(event.giftAmount),
      ]))
    }
    for user in plan.feedInvalidations {
      commands.append(RedisCommand("DEL", RedisKeys.cachedFeed(user)))
    }
    try await run(commands, deadline: deadline)
  }

  package func complete(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws {
    try await run(events.map { event in
      RedisCommand("SET", RedisKeys.eventMarker(user: event.userID, event: event.eventID), "d", "EX", String(settings.dedupeTTL))
    }, deadline: deadline)
  }

  package func release(_ events: [Interaction], deadline: ContinuousClock.Instant) async throws {
    try await run(events.map { RedisCommand("DEL", RedisKeys.eventMarker(user: $0.userID, event: $0.eventID)) }, deadline: deadline)
  }

  package func recentItems(of userID: String, limit: Int, deadline: ContinuousClock.Instant) async throws -> [String] {
    guard limit > 0 else { return [] }
    let reply = try await redis.send(RedisCommand("ZREVRANGE", RedisKeys.recentlySeen(userID), "0", String(limit - 1)), deadline: deadline)
    guard let items = reply.array?.compactMap(\.string) else { throw Self.malformed("recently seen items") }
    return items
  }

  package func coVisited(with itemID: String, limit: Int, deadline: ContinuousClock.Instant) async throws -> [PopularityEntry] {
    guard limit > 0 else { return [] }
    let key = RedisKeys.coVisits(itemID)
    let reply = try await redis.send(RedisCommand("ZREVRANGE", key, "0", String(limit - 1), "WITHSCORES"), deadline: deadline)
    guard let pairs = reply.scoredMembers else { throw Self.malformed("co-visitation counts in \(key)") }
    return pairs.filter { $0.score > 0 }.map { PopularityEntry(itemID: $0.member, score: $0.score) }
  }

  package func creatorsFirstSeen(_ creatorIDs: [String], deadline: ContinuousClock.Instant) async throws -> [String: Int64] {
    guard !creatorIDs.isEmpty else { return [:] }
    let reply = try await redis.send(RedisCommand("HMGET", [RedisKeys.creatorsFirstSeen] + creatorIDs), deadline: deadline)
    guard let values = reply.array, values.count == creatorIDs.count else { throw Self.malformed("creators' first-seen times") }
    var result: [String: Int64] = [:]
    for (creator, value) in zip(creatorIDs, values) where !value.isNull {
      guard let text = value.string, let seconds = Int64(text) else { throw Self.malformed("first-seen time of creator \(creator)") }
      result[creator] = seconds
    }
    return result
  }

  package func latestEvents(limit: Int, deadline: ContinuousClock.Instant) async throws -> [StoredEvent] {
    guard limit > 0 else { return [] }
    let reply = try await redis.send(RedisCommand("XREVRANGE", RedisKeys.events, "+", "-", "COUNT", String(limit)), deadline: deadline)
    guard let entries = reply.array else { throw Self.malformed("events stream") }
    return try entries.map { entry in
      guard let parts = entry.array, parts.count == 2, let fields = parts[1].fieldMap,
        let eventID = fields["event_id"], let userID = fields["user_id"], let itemID = fields["item_id"],
        let type = fields["type"], let ts = fields["ts"].flatMap(Double.init)
      else { throw Self.malformed("events stream entry") }
      return StoredEvent(eventID: eventID, userID: userID, itemID: itemID, type: type, timestamp: ts, country: fields["country"] ?? "")
    }
  }
}
