/// The client platform a request comes from. Raw values are the wire enum's numbers.
package enum Platform: Int, Sendable, CaseIterable {
  case unspecified = 0
  case android = 1
  case ios = 2
  case web = 3
}
