import Testing

@testable import LineupCore

@Suite("CountryCode")
struct CountryCodeTests {
  @Test("accepts two ASCII letters in any case and stores them upper case", arguments: ["BR", "br", "bR"])
  func accepts(raw: String) {
    #expect(CountryCode(raw)?.value == "BR")
  }

  @Test("rejects anything that is not exactly two ASCII letters", arguments: ["", "B", "BRA", "B1", "É1", "ÉÉ", " B", "--"])
  func rejects(raw: String) {
    #expect(CountryCode(raw) == nil)
  }
}
