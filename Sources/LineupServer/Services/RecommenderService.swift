import Foundation
import GRPCCore
import GRPCProtobuf
import LineupCore
import LineupWire
import SwiftProtobuf
import Logging

/// lineup.v1.Recommender: validates each request, asks the domain `Recommender`, maps the
/// slate back to the wire. RPCs not built yet answer UNIMPLEMENTED naming the capability.
struct RecommenderService: Lineup_V1_Recommender.SimpleServiceProtocol {
  let recommender: Recommender
  let prices: PriceQuoter
  let ingestion: Ingestion
  let budget: RequestBudgetPolicy
  let limits: RequestLimits
  let userHasher: UserIDHasher
  /// Per-user and per-app request rates (user-facing reads; the app limit on every RPC).
  let rateLimits: RequestRateLimits
  /// In front of RecordInteractions' writes: open → UNAVAILABLE at once, Redis untouched.
  let writeBreaker: CircuitBreaker?
  /// What each answer was made of (source, cache, fallback, guardrails, flags), rate-limit
  /// refusals and ingested events; latency is the interceptor's.
  let metrics: LineupMetrics
  let logger: Logger

  func getRecommendations(
    request: Lineup_V1_GetRecommendationsRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_GetRecommendationsResponse {
    try await mappingDomainErrors {
      let validated = try RecommendationRequest.validated(
        userID: request.userID,
        context: RawRequestContext(request.context),
        limit: request.limit,
        excludedItemIDs: request.excludeItemIds,
        limits: limits
      )
      try admit(userID: validated.userID, appID: validated.context.appID)
      let scope = self.scope
      let logger = userLogger(scope, userID: validated.userID)
      let slate = await recommender.recommendations(
        validated, budget: budget.budget(deadline: scope.deadline), requestID: scope.requestID, logger: logger)
      report(slate, rpc: "GetRecommendations", logger: logger)
      return .with {
        $0.items = slate.items.map(Lineup_V1_Item.init)
        $0.provenance = Lineup_V1_Provenance(slate.provenance)
      }
    }
  }

  func getTrending(
    request: Lineup_V1_GetTrendingRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_GetTrendingResponse {
    try await mappingDomainErrors {
      let validated = try TrendingRequest.validated(
        context: RawRequestContext(request.context),
        limit: request.limit,
        category: request.category,
        limits: limits
      )
      try admit(userID: nil, appID: validated.context.appID)
      let scope = self.scope
      let slate = await recommender.trending(
        validated, budget: budget.budget(deadline: scope.deadline), requestID: scope.requestID, logger: scope.logger)
      report(slate, rpc: "GetTrending", logger: scope.logger)
      return .with {
        $0.items = slate.items.map(Lineup_V1_Item.init)
        $0.provenance = Lineup_V1_Provenance(slate.provenance)
      }
    }
  }

  func getFeed(request: Lineup_V1_GetFeedRequest, context: ServerContext) async throws -> Lineup_V1_GetFeedResponse {
    try await mappingDomainErrors {
      let validated = try FeedRequest.validated(
        userID: request.userID, context: RawRequestContext(request.context), pageSize: request.pageSize, cursor: request.cursor,
        limits: limits)
      try admit(userID: validated.userID, appID: validated.context.appID)
      let scope = self.scope
      let logger = userLogger(scope, userID: validated.userID)
      let page = await recommender.feed(validated, budget: budget.budget(deadline: scope.deadline), requestID: scope.requestID, logger: logger)
      report(page.slate, rpc: "GetFeed", logger: logger)
      return .with {
        $0.items = page.slate.items.map(Lineup_V1_Item.init)
        $0.nextCursor = page.nextCursor?.encoded ?? ""
        $0.provenance = Lineup_V1_Provenance(page.slate.provenance)
      }
    }
  }

  func getPrice(request: Lineup_V1_GetPriceRequest, context: ServerContext) async throws -> Lineup_V1_GetPriceResponse {
    try await mappingDomainErrors {
      let validated = try PriceRequest.validated(
        userID: request.userID, context: RawRequestContext(request.context), productID: request.productID,
        listPrice: request.hasListPrice ? Money(wire: request.listPrice) : nil, limits: limits)
      try admit(userID: validated.userID, appID: validated.context.appID)
      let scope = self.scope
      let logger = userLogger(scope, userID: validated.userID)
      let quote = try await prices.quote(validated, budget: budget.budget(deadline: scope.deadline), requestID: scope.requestID, logger: logger)
      metrics.recordQuote(quote)
      return Lineup_V1_GetPriceResponse(quote)
    }
  }

  func explainRecommendation(
    request: Lineup_V1_ExplainRecommendationRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_ExplainRecommendationResponse {
    try await mappingDomainErrors {
      let validated = try ExplainRequest.validated(
        userID: request.userID,
        itemID: request.itemID,
        context: RawRequestContext(request.context),
        limit: request.limit,
        excludedItemIDs: request.excludeItemIds,
        limits: limits
      )
      try admit(userID: validated.recommendation.userID, appID: validated.recommendation.context.appID)
      let scope = self.scope
      let logger = userLogger(scope, userID: validated.recommendation.userID)
      let explanation = await recommender.explain(
        validated.recommendation, itemID: validated.itemID, budget: budget.budget(deadline: scope.deadline),
        requestID: scope.requestID, logger: logger)
      return Lineup_V1_ExplainRecommendationResponse(explanation)
    }
  }

  func recordInteractions(
    request: Lineup_V1_RecordInteractionsRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_RecordInteractionsResponse {
    try await mappingDomainErrors {
      let scope = self.scope
      let permit = writeBreaker?.acquire()
      if let writeBreaker, permit == nil {
        throw RPCError(
          code: .unavailable,
          message: "the \(writeBreaker.name) circuit breaker is \(writeBreaker.snapshot.state.rawValue): nothing was recorded; retry later")
      }
      let result: Ingestion.RecordResult
      do {
        result = try await ingestion.recordInteractions(
          request.events.map(RawInteraction.init), deadline: budget.writeDeadline(deadline: scope.deadline), logger: scope.logger)
        if let permit { writeBreaker?.record(permit, failed: false) }
      } catch let error as LineupError {
        // Bad input is the caller's failure, not the store's.
        if let permit { writeBreaker?.record(permit, failed: error.code == .unavailable) }
        throw error
      }
      metrics.recordIngested(accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejections.count)
      scope.logger.debug(
        "interactions recorded",
        metadata: ["accepted": "\(result.accepted)", "duplicates": "\(result.duplicates)", "rejected": "\(result.rejections.count)"])
      return .with {
        $0.accepted = Int32(clamping: result.accepted)
        $0.duplicates = Int32(clamping: result.duplicates)
        $0.rejections = result.rejections.map(Lineup_V1_EventRejection.init)
      }
    }
  }

  func upsertItems(
    request: Lineup_V1_UpsertItemsRequest,
    context: ServerContext
  ) async throws -> Lineup_V1_UpsertItemsResponse {
    try await mappingDomainErrors {
      let scope = self.scope
      let result = try await ingestion.upsertItems(
        request.items.map(RawCatalogItem.init), deadline: budget.writeDeadline(deadline: scope.deadline), logger: scope.logger)
      return .with {
        $0.upserted = Int32(clamping: result.upserted)
        $0.rejections = result.rejections.map(Lineup_V1_ItemRejection.init)
        $0.catalogVersion = String(result.catalogVersion)
      }
    }
  }

  /// Refuses a call over its user's or app's rate with RESOURCE_EXHAUSTED and a RetryInfo
  /// saying when the next one would pass.
  private func admit(userID: String?, appID: String) throws {
    guard let rejection = rateLimits.check(userID: userID, appID: appID) else { return }
    metrics.recordRateLimited(scope: rejection.scope)
    let delay = Duration.milliseconds(Int64((rejection.retryAfterSeconds * 1_000).rounded(.up)))
    throw GoogleRPCStatus(
      code: .resourceExhausted,
      message: "rate limit of this \(rejection.scope) exceeded; retry in \(String(format: "%.3f", rejection.retryAfterSeconds)) s",
      details: [.retryInfo(.init(delay: delay))])
  }

  /// Logs a served slate at debug level and records it in the metrics.
  private func report(_ slate: Slate, rpc: String, logger: Logger) {
    metrics.recordSlate(rpc: rpc, provenance: slate.provenance)
    logger.debug(
      "slate served",
      metadata: [
        "items": "\(slate.items.count)",
        "source": "\(slate.provenance.source)",
        "fallback_level": "\(slate.provenance.fallbackLevel.map { "\($0)" } ?? "-")",
      ]
    )
  }

  /// The request's logger with the user, hashed (raw user ids never reach the logs).
  private func userLogger(_ scope: RequestScope, userID: String) -> Logger {
    var logger = scope.logger
    logger[metadataKey: "user"] = "\(userHasher.hash(userID))"
    return logger
  }

  /// The interceptor's scope; a fallback scope keeps handlers usable without it (unit tests).
  private var scope: RequestScope {
    RequestScope.current ?? RequestScope(requestID: "unscoped", logger: logger)
  }
}
