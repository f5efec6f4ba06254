import Crypto
import Foundation

/// Lower-case hex SHA-256, as the archive sidecars and the manifest record it.
public func sha256Hex<D: DataProtocol>(_ data: D) -> String {
    hexString(SHA256.hash(data: data))
}

/// A digest as lower-case hex, two digits a byte.
func hexString(_ digest: SHA256.Digest) -> String {
    digest.map { byte in
        let hex = String(byte, radix: 16)
        return byte < 16 ? "0" + hex : hex
    }.joined()
}
