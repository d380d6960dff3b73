import Testing

@testable import LineupRedis

@Suite("Redis URLs")
struct RedisURLTests {
  @Test("host, port, database, ACL user and percent-encoded password are read")
  func full() throws {
    let url = try RedisURL("redis://app:p%40ss%3Aword@cache.internal:6380/3")
    #expect(url.endpoint == .tcp(host: "cache.internal", port: 6380))
    #expect(url.user == "app")
    #expect(url.password == "p@ss:word")
    #expect(url.database == 3)
  }

  @Test("defaults: port 6379, database 0, no credentials")
  func defaults() throws {
    let url = try RedisURL("redis://127.0.0.1")
    #expect(url == RedisURL(endpoint: .tcp(host: "127.0.0.1", port: 6379)))
  }

  @Test("a password without a user means legacy AUTH")
  func passwordOnly() throws {
    let url = try RedisURL("redis://:secret@localhost:7000")
    #expect(url.user == nil)
    #expect(url.password == "secret")
  }

  @Test("unix sockets take the database and credentials from the query")
  func unix() throws {
    let url = try RedisURL("unix:///var/run/redis.sock?db=2&password=x")
    #expect(url.endpoint == .unix(path: "/var/run/redis.sock"))
    #expect(url.database == 2)
    #expect(url.password == "x")
  }

  @Test("bad URLs are refused with a reason", arguments: [
    "", "localhost:6379", "http://localhost", "rediss://localhost", "redis://", "redis://h/x", "redis://h/-1",
    "unix://", "unix:///s?db=x",
  ])
  func invalid(text: String) {
    #expect(throws: RedisError.self) { try RedisURL(text) }
  }

  @Test("the description never shows the password")
  func redacted() throws {
    #expect(!(try RedisURL("redis://:hunter2@h:1/0")).description.contains("hunter2"))
    #expect(!(try RedisURL("redis://u:hunter2@h:1/0")).description.contains("hunter2"))
  }
}
