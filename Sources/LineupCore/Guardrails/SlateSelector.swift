/// Picks a slate from ranked candidates so that every guardrail of `GuardrailPolicy` holds,
/// changing the plain best-first choice as little as it can:
///
/// 1. new-creator floor — the best new-creator candidates, up to the floor;
/// 2. category spread — while fewer than `minCategories` categories are in, the best
///    candidate of a category not yet in (maximal-marginal-relevance style);
/// 3. fill — the best remaining candidates.
///
/// Every pick respects the per-creator cap, so the cap holds everywhere and the slate is
/// as full as the cap allows. The result is ordered by score. Items the plain top-N would not
/// have held carry a reason naming the guardrail that brought them in, and provenance gets a
/// report per guardrail.
package struct SlateSelector: Sendable {
  package var policy: GuardrailPolicy

  package init(policy: GuardrailPolicy = GuardrailPolicy()) {
    self.policy = policy
  }

  /// Guardrail names as reported in provenance.
  package static let newCreatorFloorName = "new_creator_floor"
  package static let creatorCapName = "creator_cap"
  package static let categorySpreadName = "category_spread"

  /// `candidates` must be ranked best first, one per item.
  package func select(_ candidates: [ServedItem], size: Int) -> (items: [ServedItem], reports: [GuardrailReport]) {
    let (picks, reports) = pick(candidates, size: size)
    return (picks.map { pick in Self.served(candidates[pick.index], adding: pick.guardrail) }, reports)
  }

  /// `served` with the reason of the guardrail that brought it in, if any.
  package static func served(_ served: ServedItem, adding guardrail: ReasonCode?) -> ServedItem {
    var served = served
    if let guardrail { served.reasons.append(reason(guardrail, item: served.item)) }
    return served
  }

  /// The selection as indices into `candidates` (ranked best first, one per item), in rank
  /// order, each with the guardrail that brought it in when the plain top-N would not have
  /// held it. Generic so the pipeline selects over its ranked candidates and builds served
  /// items (with their reasons) for the picks only.
  package func pick<Candidate: SlateCandidate>(
    _ candidates: [Candidate], size: Int
  ) -> (picks: [(index: Int, guardrail: ReasonCode?)], reports: [GuardrailReport]) {
    guard size > 0, !candidates.isEmpty else {
      return ([], reports(size: size, newServed: 0, newEligible: { 0 }, categories: 0, availableCategories: { 0 }, capDisplaced: 0, floorAdded: 0, spreadAdded: 0))
    }
    let floor = policy.newCreatorFloor(slateSize: size)
    let cap = policy.creatorCap(slateSize: size)
    let plainTopCount = min(size, candidates.count)

    var taken = [Bool](repeating: false, count: candidates.count)
    var picks: [(index: Int, guardrail: ReasonCode?)] = []
    picks.reserveCapacity(min(size, candidates.count))
    var newServed = 0
    // Per-creator counts and the categories in: by the catalog's keys when every candidate
    // carries them (the pipeline's do), so neither costs a String hash; by name otherwise
    // (cached and fallback slates). Never mixed, so equal creators always count together.
    let keyed = candidates.allSatisfy { $0.creatorKey >= 0 && $0.categoryKey >= 0 }
    var creatorCounts = OrdinalSlots(capacity: keyed ? min(size, candidates.count) : 0)
    var categoryKeys = OrdinalSlots(capacity: keyed ? min(size, candidates.count) : 0)
    var perCreator: [String: Int] = [:]
    var categoryNames: Set<String> = []
    var categoryCount = 0

    func servedOfCreator(_ index: Int) -> Int {
      keyed ? Int(creatorCounts.value(of: candidates[index].creatorKey) ?? 0) : perCreator[candidates[index].catalogItem.creatorID, default: 0]
    }
    func categoryIsIn(_ index: Int) -> Bool {
      keyed ? categoryKeys.value(of: candidates[index].categoryKey) != nil : categoryNames.contains(candidates[index].catalogItem.category)
    }
    func canTake(_ index: Int) -> Bool {
      !taken[index] && servedOfCreator(index) < cap
    }
    func take(_ index: Int, guardrail: ReasonCode?) {
      taken[index] = true
      if keyed {
        creatorCounts.add(1, to: candidates[index].creatorKey)
        if categoryKeys.claim(candidates[index].categoryKey, as: 1) == nil { categoryCount += 1 }
      } else {
        perCreator[candidates[index].catalogItem.creatorID, default: 0] += 1
        if categoryNames.insert(candidates[index].catalogItem.category).inserted { categoryCount += 1 }
      }
      if candidates[index].catalogItem.isNewCreator { newServed += 1 }
      // Candidates are one per item, so "in the plain top-N" is "ranked among the first N".
      picks.append((index, index < plainTopCount ? nil : guardrail))
    }

    // 1. New-creator floor.
    for index in candidates.indices where newServed < floor && picks.count < size {
      if candidates[index].catalogItem.isNewCreator && canTake(index) { take(index, guardrail: .newCreatorFloor) }
    }
    // 2. Category spread.
    while categoryCount < policy.minCategories && picks.count < size {
      guard let index = candidates.indices.first(where: { canTake($0) && !categoryIsIn($0) })
      else { break }
      take(index, guardrail: .categorySpread)
    }
    // 3. Fill: anything the plain top-N would not have held got in because the cap kept
    // a better item of an over-represented creator out.
    for index in candidates.indices where picks.count < size {
      if canTake(index) { take(index, guardrail: .creatorCap) }
    }

    // Items of the plain top-N left out because their creator reached the cap.
    let capDisplaced = (0..<plainTopCount).count { !taken[$0] && servedOfCreator($0) >= cap }
    picks.sort { $0.index < $1.index }
    // What only a short report needs is computed only then.
    let newEligible = {
      Dictionary(grouping: candidates.lazy.map(\.catalogItem).filter(\.isNewCreator), by: \.creatorID)
        .values.reduce(0) { $0 + min(cap, $1.count) }
    }
    let servedCategories = categoryCount
    return (
      picks,
      reports(
        size: size, newServed: newServed, newEligible: newEligible, categories: servedCategories,
        availableCategories: { Set(candidates.lazy.map(\.catalogItem.category)).count }, capDisplaced: capDisplaced,
        floorAdded: picks.count { $0.guardrail == .newCreatorFloor },
        spreadAdded: picks.count { $0.guardrail == .categorySpread }
      )
    )
  }

  private func reports(
    size: Int, newServed: Int, newEligible: () -> Int, categories: Int, availableCategories: () -> Int, capDisplaced: Int,
    floorAdded: Int, spreadAdded: Int
  ) -> [GuardrailReport] {
    let floor = policy.newCreatorFloor(slateSize: size)
    let cap = policy.creatorCap(slateSize: size)
    let floorMet = newServed >= floor
    // "Where the candidates allow": fewer categories than wanted is not a miss when no more exist.
    let wantedCategories = categories >= min(policy.minCategories, size) ? min(policy.minCategories, size) : min(policy.minCategories, size, availableCategories())
    return [
      GuardrailReport(
        name: Self.newCreatorFloorName, adjustments: floorAdded, satisfied: floorMet,
        detail: floorMet
          ? "floor \(floor) of \(size), served \(newServed)"
          : "floor \(floor) of \(size), served \(newServed): only \(newEligible()) eligible item(s)"),
      GuardrailReport(
        name: Self.creatorCapName, adjustments: capDisplaced, satisfied: true,
        detail: "at most \(cap) per creator; \(capDisplaced) item(s) of capped creators left out"),
      GuardrailReport(
        name: Self.categorySpreadName, adjustments: spreadAdded, satisfied: categories >= wantedCategories,
        detail: "\(categories) categories (wanted at least \(wantedCategories))"),
    ]
  }

  private static func reason(_ code: ReasonCode, item: CatalogItem) -> Reason {
    switch code {
    case .newCreatorFloor: Reason(code: code, text: "Included so new creators get seen", weight: 0)
    case .categorySpread: Reason(code: code, text: "Adds variety: \(item.category)", weight: 0)
    default: Reason(code: code, text: "Shown instead of more items from the same creator", weight: 0)
    }
  }
}

/// What the selector needs of a candidate: its catalog item (creator, category, whether the
/// creator is new), and the catalog's keys for its creator and category when it has them.
package protocol SlateCandidate {
  var catalogItem: CatalogItem { get }
  /// The creator's key in the request's `CatalogIndex`; -1 when not numbered.
  var creatorKey: Int32 { get }
  /// The category's key in the request's `CatalogIndex`; -1 when not numbered.
  var categoryKey: Int32 { get }
}

extension ServedItem: SlateCandidate {
  package var catalogItem: CatalogItem { item }
  /// Cached and fallback slates are not numbered: the selector keys them by name.
  package var creatorKey: Int32 { -1 }
  package var categoryKey: Int32 { -1 }
}

extension RankedCandidate: SlateCandidate {
  package var catalogItem: CatalogItem { item }
}

extension ReasonCode {
  /// Brought in by the new-creator exposure floor.
  package static let newCreatorFloor = ReasonCode(rawValue: "NEW_CREATOR_FLOOR")
  /// Brought in for category variety.
  package static let categorySpread = ReasonCode(rawValue: "CATEGORY_SPREAD")
  /// Took the place of an item from a creator already at the per-creator cap.
  package static let creatorCap = ReasonCode(rawValue: "CREATOR_CAP")
}
