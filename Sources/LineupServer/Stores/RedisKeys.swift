package import LineupCore

/// The Redis key schema shared with the model pipeline, documented with redis-cli examples in
/// docs/redis-keys.md. Keys that one request reads together share a hash tag — `{u:<user>}`
/// for everything about a user, `{c:<country>}` for a country's popularity, `{i:<item>}` for
/// an item's co-visitation, `{p:<product>}` for a pricing policy, `{cat}` for the catalog —
/// so the schema works unchanged on Redis Cluster and a request's user reads hit one node.
///
/// Ids are used as they are, except that `%`, `{` and `}` are percent-encoded (`%25`,
/// `%7B`, `%7D`): a brace in an id would otherwise move the hash tag, and a `%` must be
/// encoded for the encoding to be reversible. Ordinary ids never contain them.
package enum RedisKeys {
  /// ZSET item → decayed popularity in a country (the fallback ladder's live rung).
  package static func countryPopularity(_ country: CountryCode) -> String { "lineup:pop:{c:\(country.value)}" }
  /// STRING: the decay landmark (epoch seconds) of a country's popularity.
  package static func countryPopularityLandmark(_ country: CountryCode) -> String { "lineup:pop:{c:\(country.value)}:landmark" }

  /// ZSET item → model score: the model pipeline's candidates for a user.
  package static func candidates(_ user: String) -> String { "lineup:cand:{u:\(encode(user))}" }
  /// HASH `model_version`: which model wrote the user's candidates.
  package static func candidatesMeta(_ user: String) -> String { "lineup:cand:{u:\(encode(user))}:meta" }
  /// ZSET item → last interaction time: the user's recently seen items.
  package static func recentlySeen(_ user: String) -> String { "lineup:seen:{u:\(encode(user))}" }
  /// HASH event id → `p:<expiry>` (being recorded) or `d` (done): a user's de-duplication
  /// markers for one window-long time bucket (one hash per user and bucket costs about a fifth
  /// of the memory of one key per event).
  package static func eventMarkers(user: String, bucket: Int64) -> String { "lineup:evt:{u:\(encode(user))}:\(bucket)" }
  /// STRING (protobuf): a cached GetRecommendations answer.
  package static func cachedRecommendations(_ user: String, fingerprint: String) -> String {
    "lineup:resp:{u:\(encode(user))}:recs:\(fingerprint)"
  }
  /// STRING (protobuf): a cached GetPrice quote.
  package static func cachedPrice(_ user: String, product: String, fingerprint: String) -> String {
    "lineup:resp:{u:\(encode(user))}:price:\(encode(product)):\(fingerprint)"
  }
  /// HASH page → expiry + protobuf: the user's cached feed pages, dropped as one on any
  /// new interaction.
  package static func cachedFeed(_ user: String) -> String { "lineup:feedcache:{u:\(encode(user))}" }
  /// SET of item ids served in one feed session.
  package static func feedSession(_ user: String, session: String) -> String { "lineup:session:{u:\(encode(user))}:\(encode(session))" }
  /// HASH of the user's features (pricing segment …), written by the feature pipeline.
  package static func userFeatures(_ user: String) -> String { "lineup:features:{u:\(encode(user))}" }

  /// ZSET other item → co-visit count.
  package static func coVisits(_ item: String) -> String { "lineup:covis:{i:\(encode(item))}" }
  /// HASH of a product's pricing policy.
  package static func pricingPolicy(_ product: String) -> String { "lineup:price:{p:\(encode(product))}" }

  /// HASH of one catalog item.
  package static func catalogItem(_ item: String) -> String { "lineup:item:{cat}:\(encode(item))" }
  /// ZSET item → catalog version of its last change.
  package static let catalogChanges = "lineup:catalog:{cat}:changes"
  /// STRING integer: the catalog version, incremented once per upsert batch.
  package static let catalogVersion = "lineup:catalog:{cat}:version"
  /// HASH creator → first-seen time (epoch seconds).
  package static let creatorsFirstSeen = "lineup:creators:{cat}"

  /// STREAM of interaction events for offline pipelines, capped.
  package static let events = "lineup:events:{ev}"

  /// Control state: flags (HASH name → flag JSON) and breaker overrides (HASH name →
  /// forced_open | disabled), and the capped audit STREAM. One hash tag, so a change and
  /// its audit entry go in one transaction on a cluster too.
  package static let controlFlags = "lineup:control:{ctl}:flags"
  package static let controlBreakers = "lineup:control:{ctl}:breakers"
  package static let audit = "lineup:control:{ctl}:audit"
  /// Pub/sub channel (not a key) on which every control change is announced, as
  /// `flag:NAME` or `breaker:NAME`, so replicas re-read the state at once; and every erasure
  /// of a user's data, as `erased:<user id>`, so replicas drop the user's answers from their
  /// near caches.
  package static let controlChanges = "lineup:control:{ctl}:changes"

  /// The announcement of `userID`'s erasure on `controlChanges` (the id as it is: a channel
  /// message has no hash tag to protect).
  package static func erasureAnnouncement(_ userID: String) -> String { erasurePrefix + userID }

  /// The user whose erasure `payload` announces; nil for any other announcement.
  package static func erasedUser(announcedBy payload: [UInt8]) -> String? {
    let prefix = erasurePrefix.utf8
    guard payload.count > prefix.count, payload.starts(with: prefix) else { return nil }
    return String(decoding: payload.dropFirst(prefix.count), as: UTF8.self)
  }

  private static let erasurePrefix = "erased:"

  /// `id` with `%`, `{` and `}` percent-encoded.
  package static func encode(_ id: String) -> String {
    guard id.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") }) else {
      return id
    }
    var encoded = ""
    for character in id.unicodeScalars {
      switch character {
      case "%": encoded += "%25"
      case "{": encoded += "%7B"
      case "}": encoded += "%7D"
      default: encoded.unicodeScalars.append(character)
      }
    }
    return encoded
  }
}
