/// A user id as it may appear in logs and audit entries: a stable hash, never the raw id,
/// so log lines of one user correlate across replicas without showing who it is.
package struct HashedUserID: Sendable, Hashable, CustomStringConvertible {
  package let description: String

  fileprivate init(userID: String, key: String) {
    var hash = FNV1a64()
    // The key comes first and is length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    hash.update("lineup-user:\(key.utf8.count):")
    hash.update(key)
    hash.update(userID)
    description = "u-\(hash.hex)"
  }
}

/// Makes `HashedUserID`s with the deployment's secret key. Without a key the hash is stable
/// but a guessed id can be checked against it; with one (the same on every replica) it
/// cannot, short of knowing the key. Not a cryptographic MAC: its job is keeping raw ids out
/// of logs, not protecting secrets.
package struct UserIDHasher: Sendable {
  private let key: String

  package init(key: String) {
    self.key = key
  }

  package func hash(_ userID: String) -> HashedUserID {
    HashedUserID(userID: userID, key: key)
  }
}
