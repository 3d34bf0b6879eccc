import AccountCrypto
import CBaselines

/// `KeyRing.seal` and `KeyRing.open` of a 50-byte secret against bare EVP AES-256-GCM doing the same work in the same
/// format: a fresh RAND_bytes nonce, the same associated data (header ‖ purpose ‖ row key, length-prefixed), the
/// same sealed layout. The limit of the main rows is what the shim does per call (a new EVP_CIPHER_CTX, key and nonce
/// set); the extra rows show what a context or key kept between calls would buy.
struct SealBenchmark {
    static let plaintextByteCount = 50
    static let purpose = SealPurpose.twitterCredential
    static let rowKey = "1234567890123456789"

    /// The raw variants: C mode and the label of its row.
    static let variants: [(mode: Int32, label: String)] = [
        (C_BASELINE_GCM_FRESH_CONTEXT, ""),
        (C_BASELINE_GCM_FETCHED_CIPHER, ", limit: cipher fetched once"),
        (C_BASELINE_GCM_REUSED_CONTEXT, ", limit: one ctx, key set per call"),
        (C_BASELINE_GCM_REUSED_KEY, ", limit: one ctx, key set once"),
    ]

    func run(in context: BenchContext) throws -> [Row] {
        let ring = try context.keyRing()
        let key = context.keyBytes
        let keyID = context.keyID
        let plaintext = (0..<Self.plaintextByteCount).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let sealed = try ring.seal(plaintext, purpose: Self.purpose, rowKey: Self.rowKey)
        let rawSealed = try Self.checkInteroperability(ring: ring, key: key, keyID: keyID, plaintext: plaintext)

        let sealContenders =
            [
                Measure.Contender(name: "ours") { iterations in
                    let start = Measure.now()
                    for _ in 0..<iterations {
                        blackHole(try ring.seal(plaintext, purpose: Self.purpose, rowKey: Self.rowKey))
                    }
                    return Measure.now() - start
                }
            ]
            + Self.variants.map { variant in
                Measure.Contender(name: "raw \(variant.mode)") { iterations in
                    var elapsed: UInt64 = 0
                    let status = c_baseline_gcm_seal_run(
                        variant.mode, key, keyID, Self.purpose.rawValue, Self.rowKey, plaintext, plaintext.count,
                        UInt64(iterations), &elapsed)
                    guard status == 1 else { throw BenchError.limitFailed("EVP AES-256-GCM seal") }
                    return elapsed
                }
            }
        let openContenders =
            [
                Measure.Contender(name: "ours") { iterations in
                    let start = Measure.now()
                    for _ in 0..<iterations {
                        blackHole(try ring.open(sealed, purpose: Self.purpose, rowKey: Self.rowKey))
                    }
                    return Measure.now() - start
                }
            ]
            + Self.variants.map { variant in
                Measure.Contender(name: "raw \(variant.mode)") { iterations in
                    var elapsed: UInt64 = 0
                    let status = c_baseline_gcm_open_run(
                        variant.mode, key, keyID, Self.purpose.rawValue, Self.rowKey, rawSealed, rawSealed.count,
                        UInt64(iterations), &elapsed)
                    guard status == 1 else { throw BenchError.limitFailed("EVP AES-256-GCM open") }
                    return elapsed
                }
            }
        context.progress("seal and open, \(Self.plaintextByteCount) B")
        let sealRates = try Measure.interleavedRates(sealContenders)
        let openRates = try Measure.interleavedRates(openContenders)
        let peerNote = "no peer: allauth keeps token_secret in plain text"
        var rows: [Row] = []
        for (operation, rates) in [("seal", sealRates), ("open", openRates)] {
            for (index, variant) in Self.variants.enumerated() {
                let main = index == 0
                rows.append(
                    Row(
                        "\(operation) \(Self.plaintextByteCount) B\(variant.label) (ops/s)", better: .higher,
                        ours: rates[0], limit: rates[index + 1],
                        note: main
                            ? "limit: a new EVP_CIPHER_CTX per call, key and nonce set, as our shim does; \(peerNote)"
                            : nil))
            }
        }
        return rows
    }

    /// Proves the limit does the same work: a value sealed by the C code opens with `KeyRing.open` and one sealed by
    /// `KeyRing.seal` opens in C, so header, associated data and layout are byte for byte ours. Returns the C-sealed
    /// value.
    static func checkInteroperability(
        ring: KeyRing, key: [UInt8], keyID: String, plaintext: [UInt8]
    ) throws -> [UInt8] {
        var rawSealed = [UInt8](repeating: 0, count: c_baseline_sealed_length(keyID, plaintext.count))
        var rawLength = 0
        guard
            c_baseline_gcm_seal(
                key, keyID, purpose.rawValue, rowKey, plaintext, plaintext.count, &rawSealed, rawSealed.count,
                &rawLength) == 1, rawLength == rawSealed.count
        else { throw BenchError.limitFailed("EVP AES-256-GCM seal") }
        guard (try? ring.open(rawSealed, purpose: purpose, rowKey: rowKey)) == plaintext else {
            throw BenchError.mismatch("KeyRing.open does not open the value the C limit sealed")
        }
        let ours = try ring.seal(plaintext, purpose: purpose, rowKey: rowKey)
        var opened = [UInt8](repeating: 0, count: ours.count)
        var openedLength = 0
        guard
            c_baseline_gcm_open(
                key, keyID, purpose.rawValue, rowKey, ours, ours.count, &opened, opened.count, &openedLength) == 1,
            Array(opened[..<openedLength]) == plaintext
        else { throw BenchError.mismatch("the C limit does not open the value KeyRing.seal sealed") }
        return rawSealed
    }
}
