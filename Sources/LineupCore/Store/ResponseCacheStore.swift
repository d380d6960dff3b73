/// Served responses, kept for their RPC's TTL budget. Values are opaque bytes (the service
/// edge stores encoded protobuf responses).
package protocol ResponseCacheStore: Sendable {
  /// The cached bytes, nil on a miss or when expired.
  func cachedResponse(for key: ResponseCacheKey, deadline: ContinuousClock.Instant) async throws -> [UInt8]?

  /// Stores `value` for `ttlSeconds` (already jittered by the caller).
  func cacheResponse(_ value: [UInt8], for key: ResponseCacheKey, ttlSeconds: Int, deadline: ContinuousClock.Instant) async throws

  /// Drops every cached feed page of a user (their interactions changed what the feed
  /// should show).
  func invalidateFeed(of userID: String, deadline: ContinuousClock.Instant) async throws
}

/// Which cached response. Every key belongs to one user, so on Redis it shares the user's
/// hash tag and is read in the same round trip as the rest of the user's state.
package enum ResponseCacheKey: Sendable, Hashable {
  /// A GetRecommendations answer; `fingerprint` covers every request field that changes it.
  case recommendations(userID: String, fingerprint: String)
  /// One GetFeed page; `page` identifies session, cursor and page size.
  case feedPage(userID: String, page: String)
  /// A GetPrice quote for one product; `fingerprint` covers the market.
  case price(userID: String, productID: String, fingerprint: String)

  package var userID: String {
    switch self {
    case .recommendations(let userID, _), .feedPage(let userID, _), .price(let userID, _, _): userID
    }
  }
}
