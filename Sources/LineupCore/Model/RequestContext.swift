/// Where the caller is and what it runs, validated.
package struct RequestContext: Sendable, Equatable {
  /// nil when the caller did not say; the global baseline is used then.
  package var country: CountryCode?
  package var platform: Platform
  package var sessionID: String
  package var appID: String

  package init(
    country: CountryCode? = nil,
    platform: Platform = .unspecified,
    sessionID: String = "",
    appID: String = ""
  ) {
    self.country = country
    self.platform = platform
    self.sessionID = sessionID
    self.appID = appID
  }
}
