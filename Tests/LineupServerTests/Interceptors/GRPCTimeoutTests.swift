import GRPCCore
import LineupServer
import Testing

@Suite("grpc-timeout header")
struct GRPCTimeoutTests {
  @Test(
    "valid values parse to their duration",
    arguments: [
      ("1H", Duration.seconds(3_600)), ("2M", .seconds(120)), ("3S", .seconds(3)), ("250m", .milliseconds(250)),
      ("99999999u", .microseconds(99_999_999)), ("7n", .nanoseconds(7)),
    ]
  )
  func parses(text: String, expected: Duration) {
    #expect(GRPCTimeout.parse(text) == expected)
  }

  @Test("malformed values are ignored", arguments: ["", "S", "10", "10x", "-1S", "123456789S", "1.5S", " 1S"])
  func rejects(text: String) {
    #expect(GRPCTimeout.parse(text) == nil)
  }

  @Test("read from request metadata")
  func metadata() {
    var metadata = Metadata()
    metadata.addString("300m", forKey: "grpc-timeout")
    #expect(GRPCTimeout.duration(in: metadata) == .milliseconds(300))
    #expect(GRPCTimeout.duration(in: Metadata()) == nil)
  }
}
