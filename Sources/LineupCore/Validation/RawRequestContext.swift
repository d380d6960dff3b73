/// A request context as it arrives on the wire, before validation: the platform is the raw
/// enum number so that values this build does not know can be rejected instead of dropped.
package struct RawRequestContext: Sendable, Equatable {
  package var country: String
  package var platform: Int
  package var sessionID: String
  package var appID: String

  package init(country: String = "", platform: Int = 0, sessionID: String = "", appID: String = "") {
    self.country = country
    self.platform = platform
    self.sessionID = sessionID
    self.appID = appID
  }
}

extension RequestValidator {
  /// Validates a context; field paths are prefixed with `field` ("context").
  package mutating func context(_ raw: RawRequestContext, field: String) -> RequestContext {
    RequestContext(
      country: country(raw.country, field: "\(field).country"),
      platform: knownEnum(raw.platform, as: Platform.self, field: "\(field).platform") ?? .unspecified,
      sessionID: optionalID(raw.sessionID, field: "\(field).session_id"),
      appID: optionalID(raw.appID, field: "\(field).app_id")
    )
  }
}
