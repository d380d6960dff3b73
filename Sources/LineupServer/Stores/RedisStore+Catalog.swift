import Foundation
package import LineupCore
package import LineupRedis

extension RedisStore: CatalogStore {
  package func upsert(_ items: [CatalogItem], deadline: ContinuousClock.Instant) async throws -> Int64 {
    guard !items.isEmpty else { return try await catalogVersion(deadline: deadline) }
    var arguments = [String(Int64(Date().timeIntervalSince1970))]
    for item in items {
      arguments += [
        item.id, item.creatorID, item.category, String(item.createdAt),
        item.creatorFirstSeen.map(String.init) ?? "", item.isAvailable ? "1" : "0",
      ]
    }
    let command = RedisScripts.catalogUpsert.command(
      keys: [RedisKeys.catalogVersion, RedisKeys.catalogChanges, RedisKeys.creatorsFirstSeen] + items.map { RedisKeys.catalogItem($0.id) },
      arguments: arguments
    )
    guard let version = try await run([command], deadline: deadline)[0].integer else { throw Self.malformed("catalog version after upsert") }
    return version
  }

  package func catalogVersion(deadline: ContinuousClock.Instant) async throws -> Int64 {
    let reply = try await redis.send(RedisCommand("GET", RedisKeys.catalogVersion), deadline: deadline)
    if reply.isNull { return 0 }
    guard let text = reply.string, let version = Int64(text) else { throw Self.malformed("catalog version") }
    return version
  }

  package func changes(after version: Int64, limit: Int, deadline: ContinuousClock.Instant) async throws -> CatalogChanges {
    let head = try await run([
      RedisCommand("GET", RedisKeys.catalogVersion),
      RedisCommand("ZRANGEBYSCORE", RedisKeys.catalogChanges, "(\(version)", "+inf", "WITHSCORES", "LIMIT", "0", String(max(1, limit))),
    ], deadline: deadline)
    let current = head[0].isNull ? 0 : (head[0].string.flatMap { Int64($0) } ?? -1)
    guard current >= 0, var changed = head[1].scoredMembers else { throw Self.malformed("catalog change log") }
    let isComplete = changed.count < max(1, limit)
    if !isComplete, let last = changed.last?.score {
      // A page never splits a version: take the rest of the last version's items too.
      let rest = try await run([
        RedisCommand("ZRANGEBYSCORE", RedisKeys.catalogChanges, last.redisArgument, last.redisArgument, "WITHSCORES")
      ], deadline: deadline)
      guard let tail = rest[0].scoredMembers else { throw Self.malformed("catalog change log") }
      let present = Set(changed.map(\.member))
      changed += tail.filter { !present.contains($0.member) }
    }
    let ids = changed.map(\.member)
    var items: [CatalogItem] = []
    if !ids.isEmpty {
      let replies = try await run(ids.map { RedisCommand("HGETALL", RedisKeys.catalogItem($0)) }, deadline: deadline)
      let fields = replies.map(\.fieldMap)
      let creators = Array(Set(fields.compactMap { $0?["creator_id"] }))
      let firstSeen = try await creatorsFirstSeen(creators, deadline: deadline)
      for (id, map) in zip(ids, fields) {
        // An item whose hash does not parse is left out rather than stalling every
        // replica's catalog behind it; the write path (UpsertItems) never produces one.
        guard let map, let creator = map["creator_id"], !creator.isEmpty, let category = map["category"], !category.isEmpty,
          let createdAt = map["created_at"].flatMap({ Int64($0) })
        else { continue }
        items.append(CatalogItem(
          id: id, creatorID: creator, category: category, createdAt: createdAt, isNewCreator: false,
          creatorFirstSeen: firstSeen[creator], isAvailable: map["available"] != "0"
        ))
      }
    }
    let maxChanged = Int64(changed.last?.score ?? Double(version))
    return CatalogChanges(
      items: items,
      throughVersion: isComplete ? max(current, maxChanged) : maxChanged,
      isComplete: isComplete
    )
  }
}
