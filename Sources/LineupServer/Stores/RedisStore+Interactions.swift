import Foundation
package import LineupCore
package import LineupRedis

extension RedisStore: InteractionStore {
  package func claim(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws -> ClaimResult {
    // One script call per user claims all of that user's events atomically, against the
    // markers of this window and the previous one (so an id is remembered for at least one
    // whole window); then each user's recent items for co-visitation.
    let nowMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
    let bucket = Self.markerBucket(now: nowMilliseconds / 1000, settings: settings)
    let byUser = Dictionary(grouping: events.indices, by: { events[$0].userID }).sorted { $0.key < $1.key }
    let common = [String(nowMilliseconds), String(settings.pendingClaimTTL * 1000), String(2 * settings.dedupeTTL)]
    func markers(_ user: String) -> [String] {
      [RedisKeys.eventMarkers(user: user, bucket: bucket), RedisKeys.eventMarkers(user: user, bucket: bucket - 1)]
    }
    // On Redis Cluster each user's markers live on their own slot: one call per user. On a
    // standalone server one call claims the whole batch.
    let perUser = redis.keysMustShareASlot
    var commands: [RedisCommand]
    if perUser {
      commands = byUser.map { user, indexes in
        RedisScripts.claimEvents.command(keys: markers(user), arguments: common + indexes.map { events[$0].eventID })
      }
    } else {
      commands = [
        RedisScripts.claimEventsBatch.command(
          keys: byUser.flatMap { user, _ in markers(user) },
          arguments: common + byUser.flatMap { _, indexes in [String(indexes.count)] + indexes.map { events[$0].eventID } })
      ]
    }
    let claimCommands = commands.count
    // Co-visitation needs each user's recent items before the batch; none with a zero window.
    if settings.coVisitationWindow > 0 {
      commands += byUser.map { user, _ in RedisCommand("ZREVRANGE", RedisKeys.recentlySeen(user), "0", String(settings.coVisitationWindow - 1)) }
    }
    let replies = try await run(commands, deadline: deadline)
    var outcomes = [ClaimOutcome](repeating: .inFlight, count: events.count)
    // Codes in byUser order either way: one array per user, or one for all.
    let codesByUser: [ArraySlice<RESPValue>]
    if perUser {
      codesByUser = try (0..<claimCommands).map { offset in
        guard let codes = replies[offset].array else { throw Self.malformed("event claim reply") }
        return codes[...]
      }
    } else {
      guard let all = replies[0].array, all.count == events.count else { throw Self.malformed("event claim reply") }
      var start = 0
      codesByUser = byUser.map { _, indexes in
        defer { start += indexes.count }
        return all[start..<(start + indexes.count)]
      }
    }
    for ((_, indexes), codes) in zip(byUser, codesByUser) {
      guard codes.count == indexes.count else { throw Self.malformed("event claim reply") }
      for (index, code) in zip(indexes, codes) {
        switch code.integer {
        case 0: outcomes[index] = .claimed
        case 1: outcomes[index] = .duplicate
        case 2: outcomes[index] = .inFlight
        default: throw Self.malformed("event claim code")
        }
      }
    }
    var recent: [String: [String]] = [:]
    if settings.coVisitationWindow > 0 {
      for (offset, (user, _)) in byUser.enumerated() {
        guard let items = replies[claimCommands + offset].array?.compactMap(\.string) else { throw Self.malformed("recently seen items of a user") }
        recent[user] = items
      }
    } else {
      for (user, _) in byUser { recent[user] = [] }
    }
    return ClaimResult(outcomes: outcomes, recentItems: recent)
  }

  /// Which window-long bucket of markers `now` falls in.
  static func markerBucket(now: Int64, settings: IngestionSettings) -> Int64 {
    now / Int64(max(1, settings.dedupeTTL))
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
    let bucket = Self.markerBucket(now: Int64(Date().timeIntervalSince1970), settings: settings)
    var commands: [RedisCommand] = []
    for (user, userEvents) in Dictionary(grouping: events, by: \.userID).sorted(by: { $0.key < $1.key }) {
      let key = RedisKeys.eventMarkers(user: user, bucket: bucket)
      commands.append(RedisCommand("HSET", [key] + userEvents.flatMap { [$0.eventID, "d"] }))
      commands.append(RedisCommand("EXPIRE", key, String(2 * settings.dedupeTTL)))
    }
    try await run(commands, deadline: deadline)
  }

  package func release(_ events: [Interaction], settings: IngestionSettings, deadline: ContinuousClock.Instant) async throws {
    // The claim may sit in this bucket or, across a boundary, the previous one.
    let bucket = Self.markerBucket(now: Int64(Date().timeIntervalSince1970), settings: settings)
    var commands: [RedisCommand] = []
    for (user, userEvents) in Dictionary(grouping: events, by: \.userID).sorted(by: { $0.key < $1.key }) {
      for key in [RedisKeys.eventMarkers(user: user, bucket: bucket), RedisKeys.eventMarkers(user: user, bucket: bucket - 1)] {
        commands.append(RedisCommand("HDEL", [key] + userEvents.map(\.eventID)))
      }
    }
    try await run(commands, deadline: deadline)
  }

  package func recentItems(of userID: String, limit: Int, deadline: ContinuousClock.Instant) async throws -> [String] {
    guard limit > 0 else { return [] }
    let reply = try await redis.send(RedisCommand("ZREVRANGE", RedisKeys.recentlySeen(userID), "0", String(limit - 1)), deadline: deadline)
    guard let items = reply.array?.compactMap(\.string) else { throw Self.malformed("recently seen items") }
    return items
  }

  package func coVisited(withEach itemIDs: [String], limit: Int, deadline: ContinuousClock.Instant) async throws -> [String: [PopularityEntry]] {
    guard limit > 0 else { return Dictionary(itemIDs.map { ($0, []) }, uniquingKeysWith: { first, _ in first }) }
    guard !itemIDs.isEmpty else { return [:] }
    // One pipeline for every seed (on a cluster, one per node the keys live on). An error
    // reply (WRONGTYPE) or an unparsable one leaves only that seed out.
    let commands = itemIDs.map { RedisCommand("ZREVRANGE", RedisKeys.coVisits($0), "0", String(limit - 1), "WITHSCORES") }
    let replies = try await run(commands, deadline: deadline, toleratingErrorsIn: 0..<commands.count)
    var result: [String: [PopularityEntry]] = [:]
    for (itemID, reply) in zip(itemIDs, replies) {
      guard let pairs = reply.scoredMembers else { continue }
      result[itemID] = pairs.filter { $0.score > 0 }.map { PopularityEntry(itemID: $0.member, score: $0.score) }
    }
    return result
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
