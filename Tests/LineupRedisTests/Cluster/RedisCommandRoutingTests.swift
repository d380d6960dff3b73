import Testing

@testable import LineupRedis

/// Which argument of a command decides its cluster node.
@Suite("Routing key of a Redis command")
struct RedisCommandRoutingTests {
  @Test(
    "ordinary key commands route by their first argument",
    arguments: [
      ["GET", "k"], ["set", "k", "v"], ["ZADD", "k", "1", "m"], ["XADD", "k", "*", "f", "v"], ["HGETALL", "k"],
      ["MGET", "k", "other"], ["DEL", "k", "other"], ["EXPIRE", "k", "10"], ["ZUNIONSTORE", "k", "2", "a", "b"],
      ["Get", "k"], ["SOMEFUTURECOMMAND", "k"],
    ])
  func ordinary(arguments: [String]) {
    #expect(RedisCommand(arguments[0], Array(arguments.dropFirst())).routingKey == Array("k".utf8))
  }

  @Test(
    "keyless commands have no routing key",
    arguments: [
      ["PING"], ["ECHO", "hello"], ["INFO", "keyspace"], ["CLUSTER", "SLOTS"], ["CLUSTER", "KEYSLOT", "k"],
      ["SCRIPT", "LOAD", "return 1"], ["AUTH", "pw"], ["SELECT", "0"], ["HELLO", "3"], ["READONLY"], ["ASKING"],
      ["DEBUG", "SLEEP", "0"], ["CONFIG", "GET", "maxmemory"], ["TIME"], ["DBSIZE"], ["FLUSHALL"], ["FLUSHDB"],
      ["MULTI"], ["EXEC"], ["DISCARD"], ["WAIT", "1", "0"], ["CLIENT", "INFO"], ["COMMAND", "COUNT"], ["multi"],
      ["GET"], ["EVAL", "return 1", "0"], ["FCALL", "f", "0"], ["OBJECT", "HELP"], ["XREAD", "COUNT", "1"],
    ])
  func keyless(arguments: [String]) {
    #expect(RedisCommand(arguments[0], Array(arguments.dropFirst())).routingKey == nil)
  }

  @Test(
    "commands whose first key is elsewhere",
    arguments: [
      ["EVAL", "return 1", "2", "k", "other", "arg"], ["evalsha", "abc123", "1", "k"], ["EVAL_RO", "s", "1", "k"],
      ["FCALL", "myfunc", "1", "k", "arg"], ["FCALL_RO", "myfunc", "1", "k"],
      ["ZUNION", "2", "k", "other"], ["SINTERCARD", "1", "k"], ["LMPOP", "1", "k", "LEFT"],
      ["BLMPOP", "0", "1", "k", "LEFT"], ["BZMPOP", "1.5", "2", "k", "other", "MIN"],
      ["BITOP", "AND", "k", "a", "b"], ["OBJECT", "ENCODING", "k"], ["MEMORY", "USAGE", "k"],
      ["XINFO", "STREAM", "k"], ["XGROUP", "CREATE", "k", "g", "$"],
      ["XREAD", "COUNT", "2", "STREAMS", "k", "other", "0", "0"],
      ["XREADGROUP", "GROUP", "streams", "STREAMS", "COUNT", "1", "STREAMS", "k", ">"],
    ])
  func elsewhere(arguments: [String]) {
    #expect(RedisCommand(arguments[0], Array(arguments.dropFirst())).routingKey == Array("k".utf8))
  }

  @Test("EVAL with a key count that is not a number has no routing key")
  func badKeyCount() {
    #expect(RedisCommand("EVAL", "return 1", "x", "k").routingKey == nil)
    #expect(RedisCommand("EVAL", "return 1", "3").routingKey == nil)
  }

  @Test("binary keys come back unchanged")
  func binaryKey() {
    let key: [UInt8] = [0, 255, 13, 10]
    #expect(RedisCommand(bytes: [Array("GET".utf8), key]).routingKey == key)
  }
}
