/// A user id as it may appear in logs and audit entries: a stable hash, never the raw id,
/// so log lines of one user correlate across replicas without identifying them.
package struct HashedUserID: Sendable, Hashable, CustomStringConvertible {
  package let description: String

  package init(_ userID: String) {
    var hash = FNV1a64()
    // A fixed prefix keeps these hashes apart from other FNV uses (data versions).
    hash.update("lineup-user:")
    hash.update(userID)
    description = "u-\(hash.hex)"
  }
}
