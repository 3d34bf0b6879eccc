/// Raw AES-256-GCM with an explicit nonce and associated data: what `KeyRing` seals with, exposed to this package's
/// tests (the GCM specification's vectors) and to benchmarks that compare a bare EVP seal with `KeyRing.seal`.
///
/// Never reuse a nonce with the same key; `KeyRing` draws a fresh random 12-byte nonce for every seal.
package enum AESGCM {
    /// Key length: 32 bytes.
    package static let keyByteCount = 32

    /// Nonce length used by the sealed format: 12 bytes (GCM accepts others; the specification's vectors use them).
    package static let nonceByteCount = 12

    /// Tag length: 16 bytes.
    package static let tagByteCount = 16

    /// Encrypts `plaintext`; nil when the key is not 32 bytes, the nonce is empty, the plaintext is over 2 GiB, or
    /// OpenSSL fails.
    package static func seal(
        _ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]
    ) -> (ciphertext: [UInt8], tag: [UInt8])? {
        key.withUnsafeBytes { key in
            seal(plaintext, key: key, nonce: nonce, associatedData: associatedData)
        }
    }

    /// Decrypts and authenticates; nil when the tag does not verify (or the sizes are wrong).
    package static func open(
        ciphertext: [UInt8], tag: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]
    ) -> [UInt8]? {
        key.withUnsafeBytes { key in
            guard
                case .opened(let plaintext) = open(
                    ciphertext: ciphertext, tag: tag, key: key, nonce: nonce, associatedData: associatedData)
            else {
                return nil
            }
            return plaintext
        }
    }

    /// `seal` over a key buffer the caller owns (a `SecretKey`'s storage), so that the key is never copied.
    static func seal(
        _ plaintext: some Collection<UInt8>, key: UnsafeRawBufferPointer, nonce: some Collection<UInt8>,
        associatedData: some Collection<UInt8>
    ) -> (ciphertext: [UInt8], tag: [UInt8])? {
        withBytes(of: plaintext) { plaintext in
            withBytes(of: nonce) { nonce in
                withBytes(of: associatedData) { associatedData in
                    LibCrypto.aes256GCMSeal(
                        key: key, nonce: nonce, associatedData: associatedData, plaintext: plaintext)
                }
            }
        }
    }

    /// `open` over a key buffer the caller owns.
    static func open(
        ciphertext: some Collection<UInt8>, tag: some Collection<UInt8>, key: UnsafeRawBufferPointer,
        nonce: some Collection<UInt8>, associatedData: some Collection<UInt8>
    ) -> LibCrypto.OpenResult {
        withBytes(of: ciphertext) { ciphertext in
            withBytes(of: tag) { tag in
                withBytes(of: nonce) { nonce in
                    withBytes(of: associatedData) { associatedData in
                        LibCrypto.aes256GCMOpen(
                            key: key, nonce: nonce, associatedData: associatedData, ciphertext: ciphertext, tag: tag)
                    }
                }
            }
        }
    }
}
