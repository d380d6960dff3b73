package import LineupCore
import LineupRedis

extension RedisStore: UserDataStore {
  /// Every per-user key carries the user's hash tag `{u:<id>}`, so one SCAN over the node that
  /// holds the tag finds them all, whatever fingerprint or session they were written under
  /// (on a cluster, SCAN rides with a keyed command to that node). The events log is read in
  /// pages and the user's entries are XDELed: the cost grows with the log (up to its
  /// 1,000,000-entry cap), which is acceptable for a rare, audited operation. The erasure is
  /// announced on `RedisKeys.controlChanges` once the per-user keys are deleted.
  package func deleteUserData(_ userID: String, deadline: ContinuousClock.Instant) async throws -> [String: Int] {
    let tag = "{u:\(RedisKeys.encode(userID))}"
    let pattern = "lineup:*" + Self.globEscaped(tag) + "*"
    var keys = Set<String>()
    var cursor = "0"
    repeat {
      let replies = try await run(
        [RedisCommand("EXISTS", RedisKeys.recentlySeen(userID)), RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", "1000")],
        deadline: deadline)
      guard let parts = replies[1].array, parts.count == 2, let next = parts[0].string, let found = parts[1].array else {
        throw Self.malformed("SCAN reply")
      }
      keys.formUnion(found.compactMap(\.string))
      cursor = next
    } while cursor != "0"

    var removed: [String: Int] = [
      UserDataKind.history: 0, UserDataKind.candidates: 0, UserDataKind.cachedResponses: 0, UserDataKind.feedSessions: 0,
      UserDataKind.features: 0,
    ]
    let sorted = keys.sorted()
    do {
      for start in stride(from: 0, to: sorted.count, by: 500) {
        let batch = Array(sorted[start..<min(sorted.count, start + 500)])
        try await run([RedisCommand("DEL", batch)], deadline: deadline)
      }
    } catch {
      // Some keys may be gone already: replicas still drop what they hold of the user (a
      // no-op where nothing was), and the caller's retry deletes the rest.
      try? await announceErasure(of: userID, deadline: deadline)
      throw error
    }
    for key in sorted { removed[Self.kind(of: key), default: 0] += 1 }
    // As soon as no answer of the user is left to read, before the events log's slow pass
    // (which no near cache holds): replicas drop what their near caches hold of the user.
    try await announceErasure(of: userID, deadline: deadline)
    removed[UserDataKind.events] = try await deleteEvents(of: userID, deadline: deadline)
    return removed
  }

  /// PUBLISHes `erased:<user>` on the control channel; a replica whose subscription was
  /// down at that moment empties its whole near cache when it subscribes again.
  private func announceErasure(of userID: String, deadline: ContinuousClock.Instant) async throws {
    try await run([RedisCommand("PUBLISH", RedisKeys.controlChanges, RedisKeys.erasureAnnouncement(userID))], deadline: deadline)
  }

  /// XDELs the user's entries of the events log, reading it 5,000 entries at a time.
  private func deleteEvents(of userID: String, deadline: ContinuousClock.Instant) async throws -> Int {
    var start = "-"
    var deleted = 0
    while true {
      let reply = try await run([RedisCommand("XRANGE", RedisKeys.events, start, "+", "COUNT", "5000")], deadline: deadline)[0]
      guard let entries = reply.array else { throw Self.malformed("events log") }
      var ids: [String] = []
      var last: String?
      for entry in entries {
        guard let parts = entry.array, parts.count == 2, let id = parts[0].string, let fields = parts[1].fieldMap else {
          throw Self.malformed("events log entry")
        }
        last = id
        if fields["user_id"] == userID { ids.append(id) }
      }
      if !ids.isEmpty {
        try await run([RedisCommand("XDEL", [RedisKeys.events] + ids)], deadline: deadline)
        deleted += ids.count
      }
      guard entries.count == 5_000, let last else { return deleted }
      start = "(" + last
    }
  }

  /// What a per-user key holds, from its prefix (docs/redis-keys.md).
  static func kind(of key: String) -> String {
    let family = key.split(separator: ":", maxSplits: 2).dropFirst().first.map(String.init) ?? ""
    switch family {
    case "cand": return UserDataKind.candidates
    case "seen", "evt": return UserDataKind.history
    case "resp", "feedcache": return UserDataKind.cachedResponses
    case "session": return UserDataKind.feedSessions
    case "features": return UserDataKind.features
    default: return "other"
    }
  }

  /// `text` with SCAN MATCH's glob characters escaped, so a user id matches only itself.
  static func globEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
      if "*?[]\\^".contains(character) { escaped.append("\\") }
      escaped.append(character)
    }
    return escaped
  }
}
