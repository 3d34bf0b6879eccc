internal import COpenSSL

/// The one file that calls the C shim: it owns the buffers handed to OpenSSL and turns its status codes into Swift
/// results. Nothing here is public; the public types wrap these functions and decide what a failure means.
enum LibCrypto {
    /// Length of an HMAC-SHA1 output.
    static let sha1Length = 20

    /// Length of a GCM authentication tag.
    static let gcmTagLength = 16

    /// The result of an AES-256-GCM decryption.
    enum OpenResult {
        /// The tag verified; the plaintext.
        case opened([UInt8])
        /// The tag did not verify (wrong key, nonce, associated data, ciphertext or tag).
        case authenticationFailed
        /// OpenSSL could not run the operation at all (bad sizes, no memory).
        case failed
    }

    /// HMAC-SHA1; only fails when OpenSSL itself cannot run (no memory, broken library), which is a fatal condition.
    static func hmacSHA1(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: sha1Length)
        let status = out.withUnsafeMutableBufferPointer { outBuffer in
            c_accounts_hmac_sha1(bytes(key), key.count, bytes(message), message.count, outBuffer.baseAddress)
        }
        guard status == 1 else {
            fatalError("OpenSSL SHA-1 (HMAC-SHA1) failed; libcrypto is unusable")
        }
        return out
    }

    /// SHA-256 through EVP_Digest; only fails when OpenSSL itself cannot run, which is a fatal condition.
    static func sha256(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let status = out.withUnsafeMutableBufferPointer { outBuffer in
            c_accounts_sha256(bytes(data), data.count, outBuffer.baseAddress)
        }
        guard status == 1 else {
            fatalError("OpenSSL EVP_Digest(EVP_sha256()) failed; libcrypto is unusable")
        }
        return out
    }

    /// `count` bytes from RAND_bytes, or nil when OpenSSL's generator cannot produce them.
    static func randomBytes(count: Int) -> [UInt8]? {
        precondition(count >= 0, "a negative number of random bytes was requested")
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        let status = out.withUnsafeMutableBufferPointer { buffer in
            c_accounts_random_bytes(buffer.baseAddress, buffer.count)
        }
        return status == 1 ? out : nil
    }

    /// CRYPTO_memcmp over two buffers of the same length; false for different lengths.
    static func constantTimeEquals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0 else { return true }
        return c_accounts_constant_time_compare(bytes(a), bytes(b), a.count) == 0
    }

    /// Overwrites the bytes of `buffer` with zeros (OPENSSL_cleanse), in place, without changing its count.
    static func cleanse(_ buffer: inout [UInt8]) {
        buffer.withUnsafeMutableBytes { raw in
            c_accounts_cleanse(raw.baseAddress, raw.count)
        }
    }

    /// Overwrites `buffer` with zeros (OPENSSL_cleanse).
    static func cleanse(_ buffer: UnsafeMutableRawBufferPointer) {
        c_accounts_cleanse(buffer.baseAddress, buffer.count)
    }

    /// AES-256-GCM encryption; nil when the sizes are out of range or OpenSSL fails.
    static func aes256GCMSeal(
        key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer,
        plaintext: UnsafeRawBufferPointer
    ) -> (ciphertext: [UInt8], tag: [UInt8])? {
        guard key.count == 32, !nonce.isEmpty, plaintext.count <= Int(Int32.max) else { return nil }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: gcmTagLength)
        let status = ciphertext.withUnsafeMutableBufferPointer { ciphertextBuffer in
            tag.withUnsafeMutableBufferPointer { tagBuffer in
                c_accounts_aes_256_gcm_seal(
                    bytes(key), bytes(nonce), nonce.count, bytes(associatedData), associatedData.count,
                    bytes(plaintext), plaintext.count, ciphertextBuffer.baseAddress, tagBuffer.baseAddress)
            }
        }
        return status == 1 ? (ciphertext, tag) : nil
    }

    /// AES-256-GCM decryption and tag check.
    static func aes256GCMOpen(
        key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, associatedData: UnsafeRawBufferPointer,
        ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer
    ) -> OpenResult {
        guard key.count == 32, !nonce.isEmpty, tag.count == gcmTagLength, ciphertext.count <= Int(Int32.max) else {
            return .failed
        }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count)
        let status = plaintext.withUnsafeMutableBufferPointer { plaintextBuffer in
            c_accounts_aes_256_gcm_open(
                bytes(key), bytes(nonce), nonce.count, bytes(associatedData), associatedData.count,
                bytes(ciphertext), ciphertext.count, bytes(tag), plaintextBuffer.baseAddress)
        }
        switch status {
        case 1: return .opened(plaintext)
        case 0: return .authenticationFailed
        default: return .failed
        }
    }

    /// scrypt (RFC 7914) through EVP_PBE_scrypt; nil when OpenSSL refuses the parameters or runs out of memory.
    static func scrypt(
        password: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer, n: UInt64, r: UInt64, p: UInt64,
        maxMemory: UInt64, length: Int
    ) -> [UInt8]? {
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: length)
        let status = out.withUnsafeMutableBufferPointer { outBuffer in
            c_accounts_scrypt(
                bytes(password), password.count, bytes(salt), salt.count, n, r, p, maxMemory,
                outBuffer.baseAddress, outBuffer.count)
        }
        return status == 1 ? out : nil
    }

    /// PBKDF2-HMAC-SHA256 through PKCS5_PBKDF2_HMAC; nil when OpenSSL fails or the sizes are out of range.
    static func pbkdf2SHA256(
        password: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer, iterations: UInt32, length: Int
    ) -> [UInt8]? {
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: length)
        let status = out.withUnsafeMutableBufferPointer { outBuffer in
            c_accounts_pbkdf2_hmac_sha256(
                bytes(password), password.count, bytes(salt), salt.count, iterations, outBuffer.baseAddress,
                outBuffer.count)
        }
        return status == 1 ? out : nil
    }

    /// The typed base address of `buffer` (nil for an empty buffer without storage; the shim accepts that).
    private static func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }
}
