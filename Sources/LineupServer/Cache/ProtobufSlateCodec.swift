import LineupCore
import LineupWire
import SwiftProtobuf

/// Stores slates in the response cache as the wire response itself
/// (`lineup.v1.GetRecommendationsResponse`), so a cached answer decodes to exactly what was
/// served and any replica that shares the contract can read it.
struct ProtobufSlateCodec: SlateCodec {
  func encode(_ slate: Slate) -> [UInt8] {
    let response = Lineup_V1_GetRecommendationsResponse.with {
      $0.items = slate.items.map(Lineup_V1_Item.init)
      $0.provenance = Lineup_V1_Provenance(slate.provenance)
    }
    return (try? response.serializedBytes()) ?? []
  }

  func decode(_ bytes: [UInt8]) -> Slate? {
    guard !bytes.isEmpty, let response = try? Lineup_V1_GetRecommendationsResponse(serializedBytes: bytes) else { return nil }
    return Slate(wire: response)
  }
}
