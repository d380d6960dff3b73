extension RedisCommand {
  /// The key that decides which cluster node runs this command, or nil when any node can
  /// (PING, INFO, CLUSTER …, MULTI …). For most commands it is the first argument after the
  /// name (GET, SET, ZADD, XADD, …); commands whose first key sits elsewhere are listed in
  /// `RoutingRule`. A multi-key command is routed by its first key: Redis itself refuses one
  /// whose keys span slots (`-CROSSSLOT`), so the first key is as good as any.
  package var routingKey: [UInt8]? {
    guard let name = argument(at: 0).map(Array.init) else { return nil }
    switch RoutingRule.rule(for: name) {
    case .keyless:
      return nil
    case .argument(let index):
      return argument(at: index).map(Array.init)
    case .subcommandKey:
      // OBJECT ENCODING key, MEMORY USAGE key, XINFO STREAM key; OBJECT HELP has none.
      return argument(at: 2).map(Array.init)
    case .afterKeyCount(let countIndex):
      // EVAL script numkeys key… / ZUNION numkeys key…: a key only when numkeys > 0.
      guard let countText = argument(at: countIndex), let count = Int(String(decoding: countText, as: UTF8.self)), count > 0 else {
        return nil
      }
      return argument(at: countIndex + 1).map(Array.init)
    case .afterStreams(let searchFrom):
      // XREAD [COUNT n] [BLOCK ms] STREAMS key… id…: rare enough to decode every argument.
      let arguments = self.arguments
      guard searchFrom < arguments.count,
        let streams = arguments[searchFrom...].firstIndex(where: { RoutingRule.uppercased($0) == "STREAMS" }),
        streams + 1 < arguments.count
      else { return nil }
      return arguments[streams + 1]
    }
  }
}

/// Where a command's routing key is, by command name. Anything not listed is an ordinary key
/// command (key = arguments[1]), which is what an unknown command most likely is.
enum RoutingRule: Equatable {
  /// Runs on any node.
  case keyless
  /// The key is `arguments[index]`.
  case argument(Int)
  /// `NAME SUBCOMMAND key`.
  case subcommandKey
  /// `arguments[index]` is a key count; the first key follows it.
  case afterKeyCount(Int)
  /// The keys follow the `STREAMS` token, looked for from `arguments[searchFrom]` (past
  /// XREADGROUP's group and consumer names, which could themselves read "STREAMS").
  case afterStreams(searchFrom: Int)

  static func rule(for name: [UInt8]) -> RoutingRule {
    // Short ASCII names: uppercasing into a String is cheap next to the network round trip.
    rules[uppercased(name)] ?? .argument(1)
  }

  static func uppercased(_ bytes: [UInt8]) -> String {
    String(decoding: bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
  }

  private static let rules: [String: RoutingRule] = {
    var rules: [String: RoutingRule] = [:]
    let keyless = [
      "PING", "ECHO", "INFO", "CLUSTER", "SCRIPT", "FUNCTION", "AUTH", "SELECT", "HELLO", "READONLY", "READWRITE",
      "ASKING", "DEBUG", "CONFIG", "TIME", "DBSIZE", "FLUSHALL", "FLUSHDB", "MULTI", "EXEC", "DISCARD", "UNWATCH",
      "WAIT", "WAITAOF", "CLIENT", "COMMAND", "ACL", "LASTSAVE", "SAVE", "BGSAVE", "BGREWRITEAOF", "ROLE", "LATENCY",
      "SLOWLOG", "MODULE", "QUIT", "RESET", "SWAPDB", "RANDOMKEY", "SCAN", "KEYS", "PUBLISH", "PUBSUB", "SHUTDOWN",
      "MONITOR", "LOLWUT",
    ]
    for name in keyless { rules[name] = .keyless }
    for name in ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"] { rules[name] = .afterKeyCount(2) }
    for name in ["ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD", "SINTERCARD", "LMPOP", "ZMPOP"] {
      rules[name] = .afterKeyCount(1)
    }
    for name in ["BLMPOP", "BZMPOP"] { rules[name] = .afterKeyCount(2) }
    // BITOP op destkey key…; MEMORY/OBJECT/XINFO/XGROUP name a subcommand first.
    rules["BITOP"] = .argument(2)
    for name in ["OBJECT", "MEMORY", "XINFO", "XGROUP"] { rules[name] = .subcommandKey }
    rules["XREAD"] = .afterStreams(searchFrom: 1)
    rules["XREADGROUP"] = .afterStreams(searchFrom: 4)
    return rules
  }()
}
