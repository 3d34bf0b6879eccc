/// Comparisons whose running time does not depend on where two secrets differ (CRYPTO_memcmp).
public enum ConstantTime: Sendable {
    /// True when `a` and `b` hold the same bytes; the time taken depends only on their lengths.
    ///
    /// Inputs of different lengths return false at once, without looking at their contents: lengths are not secret.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        return withBytes(of: a) { aBuffer in
            withBytes(of: b) { bBuffer in
                LibCrypto.constantTimeEquals(aBuffer, bBuffer)
            }
        }
    }

    /// True when the UTF-8 encodings of `a` and `b` are the same bytes (no Unicode normalisation), in constant time.
    public static func equals(_ a: String, _ b: String) -> Bool {
        equals(a.utf8, b.utf8)
    }
}
