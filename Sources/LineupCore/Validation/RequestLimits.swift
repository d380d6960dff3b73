/// Size limits on request fields. They keep malformed or abusive input away from the store
/// and bound the work one request can cause.
package struct RequestLimits: Sendable, Equatable {
  /// Longest user, item, product, event, session or app id, in UTF-8 bytes.
  package var maxIDBytes = 128
  /// Longest category name, in UTF-8 bytes.
  package var maxCategoryBytes = 64
  /// Slate and page sizes are 1…maxSlateSize.
  package var maxSlateSize = 100
  /// Most ids in exclude_item_ids.
  package var maxExcludedItems = 500

  package init() {}
}
