import LineupCore
import LineupWire
import SwiftProtobuf

/// Stores price quotes in the response cache as the wire response itself
/// (`lineup.v1.GetPriceResponse`), as `ProtobufSlateCodec` does for slates.
struct ProtobufQuoteCodec: QuoteCodec {
  func encode(_ quote: PriceQuote) -> [UInt8] {
    (try? Lineup_V1_GetPriceResponse(quote).serializedBytes()) ?? []
  }

  func decode(_ bytes: [UInt8]) -> PriceQuote? {
    guard !bytes.isEmpty, let response = try? Lineup_V1_GetPriceResponse(serializedBytes: bytes) else { return nil }
    return PriceQuote(wire: response)
  }
}
