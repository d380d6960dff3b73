/// A validated GetRecommendations request.
package struct RecommendationRequest: Sendable, Equatable {
  package var userID: String
  package var context: RequestContext
  package var limit: Int
  package var excludedItemIDs: Set<String>

  package init(userID: String, context: RequestContext, limit: Int, excludedItemIDs: Set<String> = []) {
    self.userID = userID
    self.context = context
    self.limit = limit
    self.excludedItemIDs = excludedItemIDs
  }

  /// Validates wire fields; throws INVALID_ARGUMENT naming every bad field.
  package static func validated(
    userID: String,
    context: RawRequestContext,
    limit: Int32,
    excludedItemIDs: [String],
    limits: RequestLimits = RequestLimits()
  ) throws(LineupError) -> RecommendationRequest {
    var validator = RequestValidator(limits: limits)
    let request = RecommendationRequest(
      validating: &validator, userID: userID, context: context, limit: limit, excludedItemIDs: excludedItemIDs)
    try validator.finish()
    return request
  }

  /// The fields GetRecommendations and ExplainRecommendation share, checked into `validator`.
  init(validating validator: inout RequestValidator, userID: String, context: RawRequestContext, limit: Int32, excludedItemIDs: [String]) {
    self.init(
      userID: validator.requiredID(userID, field: "user_id"),
      context: validator.context(context, field: "context"),
      limit: validator.slateSize(limit, field: "limit"),
      excludedItemIDs: Set(validator.idList(excludedItemIDs, maxCount: validator.limits.maxExcludedItems, field: "exclude_item_ids"))
    )
  }
}

/// A validated GetTrending request.
package struct TrendingRequest: Sendable, Equatable {
  package var context: RequestContext
  package var limit: Int
  /// Only items of this category, when set.
  package var category: String?

  package init(context: RequestContext, limit: Int, category: String? = nil) {
    self.context = context
    self.limit = limit
    self.category = category
  }

  /// Validates wire fields; throws INVALID_ARGUMENT naming every bad field.
  package static func validated(
    context: RawRequestContext,
    limit: Int32,
    category: String,
    limits: RequestLimits = RequestLimits()
  ) throws(LineupError) -> TrendingRequest {
    var validator = RequestValidator(limits: limits)
    let request = TrendingRequest(
      context: validator.context(context, field: "context"),
      limit: validator.slateSize(limit, field: "limit"),
      category: validator.category(category, field: "category")
    )
    try validator.finish()
    return request
  }
}

/// A validated ExplainRecommendation request: the GetRecommendations request it explains and
/// the item asked about.
package struct ExplainRequest: Sendable, Equatable {
  package var recommendation: RecommendationRequest
  package var itemID: String

  package init(recommendation: RecommendationRequest, itemID: String) {
    self.recommendation = recommendation
    self.itemID = itemID
  }

  /// The slate size explained when the caller sends no limit.
  package static let defaultLimit: Int32 = 20

  /// Validates wire fields; throws INVALID_ARGUMENT naming every bad field.
  package static func validated(
    userID: String,
    itemID: String,
    context: RawRequestContext,
    limit: Int32,
    excludedItemIDs: [String],
    limits: RequestLimits = RequestLimits()
  ) throws(LineupError) -> ExplainRequest {
    var validator = RequestValidator(limits: limits)
    let request = ExplainRequest(
      recommendation: RecommendationRequest(
        validating: &validator, userID: userID, context: context, limit: limit == 0 ? defaultLimit : limit,
        excludedItemIDs: excludedItemIDs),
      itemID: validator.requiredID(itemID, field: "item_id")
    )
    try validator.finish()
    return request
  }
}
