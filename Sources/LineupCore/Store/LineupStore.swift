/// Everything Lineup keeps in its shared store. The embedded `InMemoryStore` and the
/// Redis-backed store each implement all of it, and the same contract tests run against both.
package typealias LineupStore = PopularityStore & InteractionStore & CatalogStore & UserStateStore
  & ResponseCacheStore & FeedSessionStore & PricingStore & ControlStore & UserDataStore
