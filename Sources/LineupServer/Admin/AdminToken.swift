import Foundation

/// A bearer token of the Admin service: its secret, whose it is (recorded in the audit log
/// as the actor), and whether it may change things or only read.
package struct AdminToken: Sendable, Equatable, CustomStringConvertible {
  package var secret: String
  package var actor: String
  package var canWrite: Bool
  /// Which setting brought it in, so a later source of the same setting (a flag over the
  /// environment) replaces it instead of adding to it: a rotated token must stop working.
  package var origin: Origin

  /// Where a token was configured.
  package enum Origin: Sendable, Equatable {
    case tokensFile
    case singleToken
    case code
  }

  package init(secret: String, actor: String, canWrite: Bool, origin: Origin = .code) {
    self.secret = secret
    self.actor = actor
    self.canWrite = canWrite
    self.origin = origin
  }

  /// Never the secret: configurations are logged and compared in tests.
  package var description: String { "AdminToken(actor: \(actor), \(canWrite ? "admin" : "read"))" }

  /// Parses a tokens file: one token per line, `SECRET ACTOR ROLE` separated by spaces,
  /// ROLE `admin` (read and write) or `read`; blank lines and `#` comments ignored. Secrets
  /// are at least 16 bytes, so a typo'd short word cannot become a credential.
  package static func parseFile(_ text: String, source: String) throws(ConfigurationError) -> [AdminToken] {
    var tokens: [AdminToken] = []
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard fields.count == 3, ["admin", "read"].contains(fields[2]) else {
        throw ConfigurationError("\(source):\(index + 1): want \"SECRET ACTOR admin|read\"")
      }
      guard fields[0].utf8.count >= 16 else {
        throw ConfigurationError("\(source):\(index + 1): the secret must be at least 16 bytes")
      }
      tokens.append(AdminToken(secret: fields[0], actor: fields[1], canWrite: fields[2] == "admin", origin: .tokensFile))
    }
    return tokens
  }
}
