import AccountCrypto
import CBaselines

/// `HMACSHA1.authenticationCode` over a 300-byte message (an OAuth 1.0a base string's size) against one-shot HMAC()
/// and Python's stdlib hmac (what oauthlib signs with), as the OAuth signature rows will need.
struct HMACBenchmark {
    static let messageByteCount = 300

    func run(in context: BenchContext) throws -> [Row] {
        let key = Array("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE".utf8)
        let message = (0..<Self.messageByteCount).map { UInt8(ascii: "a") &+ UInt8($0 % 26) }
        context.progress("HMAC-SHA1, \(Self.messageByteCount) B")
        let rates = try Measure.interleavedRates([
            Measure.Contender(name: "ours") { iterations in
                let start = Measure.now()
                for _ in 0..<iterations {
                    blackHole(HMACSHA1.authenticationCode(key: key, message: message))
                }
                return Measure.now() - start
            },
            Measure.Contender(name: "raw") { iterations in
                var elapsed: UInt64 = 0
                guard
                    c_baseline_hmac_sha1_run(
                        key, key.count, message, message.count, UInt64(iterations), &elapsed) == 1
                else { throw BenchError.limitFailed("HMAC(EVP_sha1())") }
                return elapsed
            },
        ])
        let peers = context.peers
        let python = peers.versions["python"] ?? "Python"
        return [
            Row(
                "HMAC-SHA1 \(Self.messageByteCount) B (ops/s)", better: .higher, ours: rates[0], limit: rates[1],
                peer: peers[PeerFigures.pythonHMACSHA1], peerSource: "\(python) stdlib hmac.new(sha1)")
        ]
    }
}
