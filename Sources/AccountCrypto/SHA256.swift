internal import COpenSSL

/// SHA-256 digests through the system OpenSSL.
public enum SHA256: Sendable {
    /// The 32-byte SHA-256 digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let status = Array(bytes).withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                c_accounts_sha256(input.baseAddress, input.count, output.baseAddress)
            }
        }
        // EVP_Digest with SHA-256 fails only when the library itself is broken (no memory, no provider).
        precondition(status == 1, "OpenSSL could not compute SHA-256; the crypto library is unusable")
        return digest
    }

    /// The SHA-256 digest of `bytes` as 64 lowercase hexadecimal characters.
    public static func hexDigest(_ bytes: some Collection<UInt8>) -> String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in hash(bytes) {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
