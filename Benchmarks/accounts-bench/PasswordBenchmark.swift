import AccountCrypto
import CBaselines

/// `PasswordHasher` at its default parameters against one bare EVP_PBE_scrypt call with the same parameters, and the
/// timing of a failed sign-in: `dummyVerify` (unknown account) against a wrong password for a known one.
struct PasswordBenchmark {
    static let rounds = 5
    static let failedSignInPairs = 9

    func run(in context: BenchContext) throws -> [Row] {
        let hasher = PasswordHasher()
        let parameters = hasher.parameters
        let password = "correct horse battery staple"
        context.progress("password: scrypt \(parameters), \(Self.rounds) rounds each")
        let stored = try hasher.hash(password: password)
        guard case .valid = try hasher.verify(password: password, against: stored) else {
            throw BenchError.mismatch("the hash does not verify")
        }
        let n = UInt64(1) << UInt64(parameters.log2N)
        let r = UInt64(parameters.r)
        let p = UInt64(parameters.p)
        let maxMemory = 128 * r * (n + 2) + 128 * r * p  // OpenSSL's own formula, as PasswordHasher passes it
        let salt = SecureRandom.bytes(count: 16)
        let passwordBytes = Array(password.utf8)
        let raw: () throws -> Void = {
            var out = [UInt8](repeating: 0, count: 32)
            guard
                c_baseline_scrypt(
                    passwordBytes, passwordBytes.count, salt, salt.count, n, r, p, maxMemory, &out, out.count) == 1
            else { throw BenchError.limitFailed("EVP_PBE_scrypt") }
        }
        let times = try Measure.interleavedMilliseconds(
            rounds: Self.rounds,
            [
                { blackHole(try hasher.hash(password: password)) },
                { blackHole(try hasher.verify(password: password, against: stored)) },
                raw,
            ])

        context.progress("password: failed sign-in timing, \(Self.failedSignInPairs) pairs")
        let failed = try Measure.interleavedMilliseconds(
            rounds: Self.failedSignInPairs,
            [
                { hasher.dummyVerify(password: "not the password") },
                {
                    guard try hasher.verify(password: "not the password", against: stored) == .invalid else {
                        throw BenchError.mismatch("a wrong password verified")
                    }
                },
            ])
        return [
            Row(
                "password hash (ms)", better: .lower, ours: times[0], limit: times[2],
                note: "scrypt \(parameters), 32 MiB; limit: one EVP_PBE_scrypt call with the same parameters; "
                    + "no peer: allauth's social signup sets an unusable password"),
            Row("password verify (ms)", better: .lower, ours: times[1], limit: times[2]),
            Row(
                "failed sign-in unknown vs known (median ratio)", better: .closerToOne, ours: failed[0] / failed[1],
                note: "median dummyVerify (unknown account) / median wrong-password verify (known account), "
                    + "\(Self.failedSignInPairs) interleaved pairs; goal 0.90-1.10"),
        ]
    }
}
