/// The promises every slate keeps, whatever produced it (model, cache, fallback): a floor of
/// exposure for new creators, a cap per creator, and a spread of categories. Shares are in
/// basis points and all arithmetic is integer, so "15% of 20" is exactly 3, never
/// 3.0000000000000004 rounded up to 4.
package struct GuardrailPolicy: Sendable, Equatable {
  /// At least this share of a slate comes from new creators, rounded up, when enough eligible
  /// items exist. Default 1500 (15%).
  package var newCreatorFloorBps = 1_500
  /// No creator fills more than this share of a slate, rounded down, but always at least 1.
  /// Default 1500 (15%).
  package var creatorCapBps = 1_500
  /// At least this many distinct categories where the candidates allow. Default 3.
  package var minCategories = 3

  package init() {}

  /// New-creator items a slate of `size` must hold: ⌈size × floor⌉.
  package func newCreatorFloor(slateSize size: Int) -> Int {
    (size * newCreatorFloorBps + 9_999) / 10_000
  }

  /// Most items one creator may have in a slate of `size`: max(1, ⌊size × cap⌋).
  package func creatorCap(slateSize size: Int) -> Int {
    max(1, size * creatorCapBps / 10_000)
  }
}
