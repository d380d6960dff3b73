package import LineupCore
package import LineupRedis

extension RedisStore: PricingStore {
  package func pricingPolicy(for productID: String, deadline: ContinuousClock.Instant) async throws -> PricingPolicy? {
    let key = RedisKeys.pricingPolicy(productID)
    let reply = try await run([RedisCommand("HGETALL", key)], deadline: deadline)[0]
    guard let fields = reply.fieldMap else { throw Self.malformed("pricing policy \(key)") }
    if fields.isEmpty { return nil }
    guard let currency = fields["currency"],
      let base = fields["base_price_minor"].flatMap({ Int64($0) }),
      let cost = fields["cost_minor"].flatMap({ Int64($0) }),
      let margin = fields["min_margin_bps"].flatMap({ Int($0) }),
      let discount = fields["max_discount_bps"].flatMap({ Int($0) })
    else { throw Self.malformed("pricing policy \(key): needs currency, base_price_minor, cost_minor, min_margin_bps, max_discount_bps") }
    let policy = PricingPolicy(productID: productID, currency: currency, basePriceMinor: base, costMinor: cost, minMarginBps: margin, maxDiscountBps: discount)
    if let problem = policy.problem { throw Self.malformed("pricing policy \(key): \(problem)") }
    return policy
  }

  package func putPricingPolicy(_ policy: PricingPolicy, deadline: ContinuousClock.Instant) async throws {
    if let problem = policy.problem {
      throw LineupError(code: .invalidArgument, message: "pricing policy for \(policy.productID): \(problem)")
    }
    let key = RedisKeys.pricingPolicy(policy.productID)
    try await run([
      RedisCommand("MULTI"),
      RedisCommand("DEL", key),
      RedisCommand(
        "HSET", key, "currency", policy.currency, "base_price_minor", String(policy.basePriceMinor), "cost_minor", String(policy.costMinor),
        "min_margin_bps", String(policy.minMarginBps), "max_discount_bps", String(policy.maxDiscountBps)),
      RedisCommand("EXEC"),
    ], deadline: deadline)
  }

  package func userFeatures(of userID: String, deadline: ContinuousClock.Instant) async throws -> [String: String] {
    let reply = try await run([RedisCommand("HGETALL", RedisKeys.userFeatures(userID))], deadline: deadline)[0]
    guard let fields = reply.fieldMap else { throw Self.malformed("user features") }
    return fields
  }

  package func putUserFeatures(_ features: [String: String], for userID: String, ttlSeconds: Int, deadline: ContinuousClock.Instant) async throws {
    let key = RedisKeys.userFeatures(userID)
    var commands = [RedisCommand("MULTI"), RedisCommand("DEL", key)]
    if !features.isEmpty {
      commands.append(RedisCommand("HSET", [key] + features.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }))
      commands.append(RedisCommand("EXPIRE", key, String(ttlSeconds)))
    }
    commands.append(RedisCommand("EXEC"))
    try await run(commands, deadline: deadline)
  }
}
