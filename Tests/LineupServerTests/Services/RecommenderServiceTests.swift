import Foundation
import GRPCCore
import GRPCProtobuf
import LineupCore
import LineupServer
import LineupTesting
import LineupWire
import SwiftProtobuf
import Testing

@Suite("Recommender service end to end (real HTTP/2 socket)")
struct RecommenderServiceTests {
  @Test("GetRecommendations returns `limit` distinct, explained fallback items for a known country")
  func knownCountry() async throws {
    try await withLineupClient { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      for limit in [1, 10, 100] {
        let response = try await recommender.getRecommendations(.with {
          $0.userID = "user-1"
          $0.context.country = "BR"
          $0.context.platform = .android
          $0.limit = Int32(limit)
        })
        #expect(response.items.count == limit)
        #expect(Set(response.items.map(\.itemID)).count == limit)
        for item in response.items {
          #expect(!item.creatorID.isEmpty && !item.category.isEmpty)
          #expect((0...1).contains(item.score))
          #expect(!item.reasons.isEmpty)
          #expect(item.reasons.allSatisfy { !$0.code.isEmpty && !$0.text.isEmpty })
        }
        // Led by the country's baseline; a 1-item slate is the new-creator floor's (⌈15% × 1⌉ = 1).
        if limit > 1 {
          #expect(response.items[0].reasons[0].code == "POPULAR_IN_COUNTRY")
        } else {
          #expect(response.items[0].newCreator)
        }
        let provenance = response.provenance
        #expect(provenance.source == .fallback)
        // The embedded store has no model candidates for this user: a cold user.
        #expect(provenance.fallbackReason == .noCandidates)
        #expect(provenance.fallbackLevel == .countryFile)
        #expect(!provenance.requestID.isEmpty)
        #expect(provenance.ttlSec == 300)
        #expect(provenance.modelVersion.hasPrefix("fallback:"))
      }
    }
  }

  @Test("an unknown country gets the global list")
  func unknownCountry() async throws {
    try await withLineupClient { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let response = try await recommender.getRecommendations(.with {
        $0.userID = "user-1"
        $0.context.country = "AQ"
        $0.limit = 10
      })
      #expect(response.items.count == 10)
      #expect(response.provenance.fallbackLevel == .global)
      #expect(response.items.first?.reasons.first?.code == "POPULAR_GLOBALLY")
      // The rest are global baseline items or new-creator items the exposure floor brought in.
      #expect(response.items.allSatisfy { $0.reasons.contains { ["POPULAR_GLOBALLY", "NEW_CREATOR"].contains($0.code) } })
    }
  }

  @Test("GetFeed: pages of one session never repeat an item, a retried cursor gets the same page, and an interaction changes the next one")
  func feedPages() async throws {
    try await withLineupClient { client, application in
      try await application.store.putCandidates(
        ModelCandidates(modelVersion: "m-feed", items: (1...80).map { PopularityEntry(itemID: String(format: "it-%05d", $0 * 11), score: 1 - Double($0) / 100) }),
        for: "reader", ttlSeconds: nil, deadline: .now + .seconds(2))
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      func page(_ cursor: String) async throws -> Lineup_V1_GetFeedResponse {
        try await recommender.getFeed(.with { $0.userID = "reader"; $0.context.country = "BR"; $0.pageSize = 10; $0.cursor = cursor })
      }
      var seen: Set<String> = []
      var cursor = ""
      var cursors: [String] = []
      // 8 pages of 10 from 80 model candidates: later pages still carry the model's items.
      for _ in 0..<8 {
        let response = try await page(cursor)
        #expect(response.items.count == 10)
        #expect(response.provenance.source == .model && response.provenance.ttlSec == 60)
        let ids = Set(response.items.map(\.itemID))
        #expect(seen.isDisjoint(with: ids))
        seen.formUnion(ids)
        // Personalized and trending mixed: both kinds on a page.
        #expect(response.items.contains { $0.reasons.contains { $0.code == "MODEL_SCORE" } })
        #expect(response.items.contains { !$0.reasons.contains { $0.code == "MODEL_SCORE" } })
        #expect(!response.nextCursor.isEmpty)
        cursors.append(cursor)
        cursor = response.nextCursor
      }
      // A retry of the second page's cursor: the same page, from the cache.
      let retried = try await page(cursors[1])
      #expect(retried.provenance.source == .cache)
      #expect(Set(retried.items.map(\.itemID)).isSubset(of: seen))
      // The user watches an item of that page: its cached pages are dropped, and the page is
      // computed again without the item just seen.
      let watched = retried.items[0].itemID
      _ = try await recommender.recordInteractions(.with {
        $0.events = [.with {
          $0.eventID = "feed-e1"; $0.userID = "reader"; $0.itemID = watched; $0.type = .view
          $0.timestamp = Google_Protobuf_Timestamp(date: Date()); $0.context.country = "BR"
        }]
      })
      let after = try await page(cursors[1])
      #expect(after.provenance.source == .model)
      #expect(!after.items.contains { $0.itemID == watched })
      // A cursor this service did not issue is INVALID_ARGUMENT naming the field.
      await #expect { try await page("not-a-cursor") } throws: { error in
        (error as? RPCError)?.code == .invalidArgument && (error as? RPCError)?.message.contains("cursor") == true
      }
    }
  }

  @Test("GetPrice: a personalized quote in integer minor units, cached for its TTL; no policy is the list price sent or NOT_FOUND; bad money is INVALID_ARGUMENT")
  func getPrice() async throws {
    try await withLineupClient { client, application in
      try await application.store.putPricingPolicy(
        PricingPolicy(productID: "coins-100", currency: "BRL", basePriceMinor: 1_999, costMinor: 1_000, minMarginBps: 1_500, maxDiscountBps: 2_000),
        deadline: .now + .seconds(2))
      try await application.store.putUserFeatures(["segment": "price_sensitive"], for: "buyer", ttlSeconds: 60, deadline: .now + .seconds(2))
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetPriceRequest.with { $0.userID = "buyer"; $0.productID = "coins-100"; $0.context.country = "BR" }
      let quote = try await recommender.getPrice(request)
      #expect(quote.price.currencyCode == "BRL" && quote.price.minorUnits == 1_600)
      #expect(quote.basePrice.minorUnits == 1_999 && quote.floorPrice.minorUnits == 1_150)
      #expect(quote.discountBps == 1_995)
      #expect(quote.reasons.map(\.code) == ["SEGMENT_DISCOUNT"])
      #expect(quote.provenance.source == .model && quote.provenance.ttlSec == 300)
      #expect(quote.hasValidUntil)
      // The quote is cached behind the answer: the same user sees the same price.
      #expect(try await eventually { application.writeBehind.completed >= 1 })
      let again = try await recommender.getPrice(request)
      #expect(again.provenance.source == .cache && again.price == quote.price)

      let unknown = Lineup_V1_GetPriceRequest.with { $0.userID = "buyer"; $0.productID = "no-such-product" }
      await #expect { try await recommender.getPrice(unknown) } throws: { error in
        (error as? RPCError)?.code == .notFound && (error as? RPCError)?.message.contains("no-such-product") == true
      }
      var withList = unknown
      withList.listPrice = .with { $0.currencyCode = "USD"; $0.minorUnits = 499 }
      let listed = try await recommender.getPrice(withList)
      #expect(listed.price == withList.listPrice && listed.reasons.map(\.code) == ["NO_POLICY"] && !listed.hasFloorPrice)
      var badMoney = withList
      badMoney.listPrice = .with { $0.currencyCode = "usd"; $0.minorUnits = -1 }
      await #expect { try await recommender.getPrice(badMoney) } throws: { error in
        let message = (error as? RPCError)?.message ?? ""
        return (error as? RPCError)?.code == .invalidArgument && message.contains("list_price.currency_code") && message.contains("list_price.minor_units")
      }
    }
  }

  @Test("ExplainRecommendation agrees with GetRecommendations: position, reasons, sources and factors of every served item")
  func explainAgrees() async throws {
    try await withLineupClient { client, application in
      try await application.store.putCandidates(
        ModelCandidates(
          modelVersion: "m-explain",
          items: (0..<40).map { PopularityEntry(itemID: String(format: "it-%05d", $0 * 7), score: 1 - Double($0) / 50) }),
        for: "explained", ttlSeconds: nil, deadline: .now + .seconds(2))
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let served = try await recommender.getRecommendations(.with {
        $0.userID = "explained"; $0.context.country = "BR"; $0.limit = 12; $0.excludeItemIds = ["it-00007"]
      })
      #expect(served.provenance.source == .model)
      for (index, item) in served.items.enumerated() {
        let explained = try await recommender.explainRecommendation(.with {
          $0.userID = "explained"; $0.itemID = item.itemID; $0.context.country = "BR"; $0.limit = 12; $0.excludeItemIds = ["it-00007"]
        })
        #expect(explained.inSlate)
        #expect(explained.position == Int32(index + 1))
        #expect(explained.reasons.map(\.code) == item.reasons.map(\.code))
        #expect(!explained.sources.isEmpty)
        #expect(explained.provenance.source == .model)
        // The factors add up to the served score.
        #expect(abs(explained.factors.reduce(0) { $0 + $1.contribution } - item.score) < 1e-9)
        // A guardrail named on the item is named by the explanation.
        if item.reasons.contains(where: { $0.code == "NEW_CREATOR_FLOOR" }) { #expect(explained.guardrails.contains("new_creator_floor")) }
      }
      let excluded = try await recommender.explainRecommendation(.with {
        $0.userID = "explained"; $0.itemID = "it-00007"; $0.context.country = "BR"; $0.limit = 12; $0.excludeItemIds = ["it-00007"]
      })
      #expect(!excluded.inSlate && excluded.position == 0 && excluded.notInSlateReason == "excluded")
      let unknown = try await recommender.explainRecommendation(.with { $0.userID = "explained"; $0.itemID = "no-such-item" })
      #expect(unknown.notInSlateReason == "unknown_item")
      let deep = try await recommender.explainRecommendation(.with {
        $0.userID = "explained"; $0.itemID = "it-00273"; $0.context.country = "BR"; $0.limit = 12; $0.excludeItemIds = ["it-00007"]
      })
      // The model's 40th candidate: proposed, ranked, but below the cut.
      #expect(!deep.inSlate && deep.sources.contains("model") && deep.notInSlateReason == "below_cutoff")
      await #expect { try await recommender.explainRecommendation(.with { $0.userID = "explained" }) } throws: { error in
        (error as? RPCError)?.code == .invalidArgument && (error as? RPCError)?.message.contains("item_id") == true
      }
    }
  }

  @Test("the caller's x-request-id is echoed in provenance; without one the server assigns distinct ids")
  func requestID() async throws {
    try await withLineupClient { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let request = Lineup_V1_GetRecommendationsRequest.with {
        $0.userID = "user-1"
        $0.limit = 3
      }
      let echoed = try await recommender.getRecommendations(request, metadata: ["x-request-id": "trace-abc-1"])
      #expect(echoed.provenance.requestID == "trace-abc-1")
      let first = try await recommender.getRecommendations(request)
      let second = try await recommender.getRecommendations(request)
      #expect(first.provenance.requestID != second.provenance.requestID)
      let oversized = try await recommender.getRecommendations(request, metadata: ["x-request-id": .string(String(repeating: "x", count: 65))])
      #expect(oversized.provenance.requestID.count < 65)
    }
  }

  @Test("GetTrending honours country, limit and category")
  func trending() async throws {
    try await withLineupClient { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      let response = try await recommender.getTrending(.with {
        $0.context.country = "JP"
        $0.limit = 5
        $0.category = "music"
      })
      #expect(response.items.count == 5)
      #expect(response.items.allSatisfy { $0.category == "music" })
      #expect(response.provenance.source == .fallback)
    }
  }

  @Test("bad input gets INVALID_ARGUMENT naming the field, with BadRequest details", arguments: [
    ("user_id", Lineup_V1_GetRecommendationsRequest.with { $0.limit = 10 }),
    ("limit", .with { $0.userID = "u"; $0.limit = 0 }),
    ("limit", .with { $0.userID = "u"; $0.limit = 101 }),
    ("context.country", .with { $0.userID = "u"; $0.limit = 10; $0.context.country = "BRA" }),
    ("context.platform", .with { $0.userID = "u"; $0.limit = 10; $0.context.platform = .UNRECOGNIZED(42) }),
    ("exclude_item_ids[0]", .with { $0.userID = "u"; $0.limit = 10; $0.excludeItemIds = [""] }),
  ])
  func invalidArgument(field: String, request: Lineup_V1_GetRecommendationsRequest) async throws {
    try await withLineupClient { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      do {
        _ = try await recommender.getRecommendations(request)
        Issue.record("expected INVALID_ARGUMENT for \(field)")
      } catch let error as RPCError {
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains(field))
        let status = try #require(try error.unpackGoogleRPCStatus())
        let violations = status.details.compactMap(\.badRequest).flatMap(\.violations)
        #expect(violations.map(\.field) == [field])
      }
    }
  }

  @Test("a request over the size limit gets RESOURCE_EXHAUSTED")
  func oversized() async throws {
    var config = RunningLineup.testConfiguration()
    config.server.maxRequestBytes = 4096
    try await withLineupClient(configuration: config) { client, _ in
      let recommender = Lineup_V1_Recommender.Client(wrapping: client)
      do {
        _ = try await recommender.getRecommendations(.with {
          $0.userID = "u"
          $0.limit = 10
          // ~10 KB: valid in every field (450 ids), but over the 4 KB size limit.
          $0.excludeItemIds = (0..<450).map { "excluded-item-\(100_000 + $0)" }
        })
        Issue.record("expected RESOURCE_EXHAUSTED")
      } catch let error as RPCError {
        #expect(error.code == .resourceExhausted, "\(error)")
      }
      // The connection and server are still fine afterwards.
      let ok = try await recommender.getRecommendations(.with { $0.userID = "u"; $0.limit = 2 })
      #expect(ok.items.count == 2)
    }
  }
}
