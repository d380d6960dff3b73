/// Where a feed session is: the session id and the page to serve next, carried in the
/// opaque `cursor` of GetFeed (`f1.<page>.<session>`), so a client without a session id of
/// its own still gets a deduplicated session, and a retried cursor names the same page.
package struct FeedCursor: Sendable, Equatable {
  package var sessionID: String
  /// 0 for the first page.
  package var page: Int

  package init(sessionID: String, page: Int) {
    self.sessionID = sessionID
    self.page = page
  }

  /// The cursor text.
  package var encoded: String { "f1.\(page).\(sessionID)" }

  /// Parses a cursor; nil when it is not one this service issued.
  package static func decode(_ text: String) -> FeedCursor? {
    let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == "f1", let page = Int(parts[1]), page >= 0, page <= maxPage, !parts[2].isEmpty else { return nil }
    return FeedCursor(sessionID: String(parts[2]), page: page)
  }

  /// Pages per session; a session longer than this starts again.
  package static let maxPage = 10_000
}

/// A validated GetFeed request.
package struct FeedRequest: Sendable, Equatable {
  package var userID: String
  package var context: RequestContext
  package var pageSize: Int
  package var cursor: FeedCursor?

  package init(userID: String, context: RequestContext, pageSize: Int, cursor: FeedCursor? = nil) {
    self.userID = userID
    self.context = context
    self.pageSize = pageSize
    self.cursor = cursor
  }

  /// Validates wire fields; throws INVALID_ARGUMENT naming every bad field.
  package static func validated(
    userID: String, context: RawRequestContext, pageSize: Int32, cursor: String, limits: RequestLimits = RequestLimits()
  ) throws(LineupError) -> FeedRequest {
    var validator = RequestValidator(limits: limits)
    var parsedCursor: FeedCursor?
    if !cursor.isEmpty {
      parsedCursor = FeedCursor.decode(cursor)
      if parsedCursor == nil || cursor.utf8.count > 200 {
        validator.fail("cursor", "is not a cursor this service issued; pass the previous page's next_cursor, or empty for the first page")
      }
    }
    let request = FeedRequest(
      userID: validator.requiredID(userID, field: "user_id"),
      context: validator.context(context, field: "context"),
      pageSize: validator.slateSize(pageSize, field: "page_size"),
      cursor: parsedCursor)
    try validator.finish()
    return request
  }
}

/// One page of the feed: the items, the cursor of the next page (nil when the feed is
/// exhausted) and how it was produced.
package struct FeedPage: Sendable, Equatable {
  package var slate: Slate
  package var nextCursor: FeedCursor?

  package init(slate: Slate, nextCursor: FeedCursor?) {
    self.slate = slate
    self.nextCursor = nextCursor
  }
}
