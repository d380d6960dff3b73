/// Turns slates into the bytes the response cache stores and back. The service edge
/// implements it with the wire format (protobuf), so a cached answer is exactly what was
/// served and any replica, of any version that shares the contract, can read it.
package protocol SlateCodec: Sendable {
  func encode(_ slate: Slate) -> [UInt8]
  /// nil when the bytes do not decode (a corrupt or foreign entry): treated as a miss.
  func decode(_ bytes: [UInt8]) -> Slate?
}
