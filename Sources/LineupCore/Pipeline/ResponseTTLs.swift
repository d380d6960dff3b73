/// How long callers (and the response cache) may keep each RPC's answer, in seconds.
/// Defaults are the deployment playbooks' TTL budgets (DESIGN.md "Budgets").
package struct ResponseTTLs: Sendable, Equatable {
  package var recommendations = 300
  package var trending = 300
  package var feed = 60
  package var prices = 300

  package init() {}
}
