/// One Redis command as binary-safe arguments, e.g. `["ZADD", "key", "1.5", "member"]`.
package struct RedisCommand: Sendable, Hashable, CustomStringConvertible {
  /// The arguments, the command name first.
  package var arguments: [[UInt8]]

  /// A command from raw byte arguments.
  package init(bytes arguments: [[UInt8]]) {
    self.arguments = arguments
  }

  /// A command from text arguments (each encoded as UTF-8).
  package init(_ name: String, _ arguments: String...) {
    self.init(name, arguments)
  }

  /// A command from text arguments (each encoded as UTF-8).
  package init(_ name: String, _ arguments: [String]) {
    self.arguments = ([name] + arguments).map { Array($0.utf8) }
  }

  /// The command name only: arguments may hold secrets (AUTH) or user data.
  package var description: String {
    arguments.first.map { String(decoding: $0, as: UTF8.self).uppercased() } ?? "<empty>"
  }
}
