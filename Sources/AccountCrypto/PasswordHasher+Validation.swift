extension PasswordHasher {
    /// Checks, without a password, that `encoded` is a stored hash ``verify(password:against:)`` can read: ours
    /// (`scrypt$ln=…$r=…$p=…$SALT$HASH`) or Django's (`pbkdf2_sha256$ITERATIONS$SALT$HASH`), with parameters in range.
    ///
    /// For importing hashes made elsewhere, so it also refuses hashes whose every check would cost more than
    /// ``maximumImportedScryptWork`` or ``maximumImportedDjangoIterations`` allow, unless `allowingCostly` (a store
    /// that already holds such hashes, re-imported from its own export; `verify` reads them either way), which the
    /// message names as the parameters an app passes (``costlyHashAdvice``; `accounts import` names its flag
    /// `--allow-costly-password-hashes` instead). Throws what is wrong; the error never quotes the value.
    public static func validateFormat(_ encoded: String, allowingCostly: Bool = false) throws(PasswordHashError) {
        if let costly = try importCost(of: encoded), !allowingCostly {
            throw costly.error(advice: costlyHashAdvice)
        }
    }

    /// Checks `encoded` as ``validateFormat(_:allowingCostly:)`` does, throwing what is wrong with its format, and
    /// returns what its checks would cost when that is more than an import allows (nil when it is not): the fault,
    /// to which the caller adds the advice its reader acts on.
    package static func importCost(of encoded: String) throws(PasswordHashError) -> CostlyHash? {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        switch try scheme(of: fields) {
        case .scrypt:
            let parameters = try parseScrypt(fields).parameters
            let work = parameters.n * UInt64(parameters.r) * UInt64(parameters.p)
            guard work <= maximumImportedScryptWork else {
                return CostlyHash(
                    algorithm: "scrypt",
                    fault: "\(parameters) costs N·r·p = \(work), more than the \(maximumImportedScryptWork) an "
                        + "imported hash may (4 times ln=15$r=8$p=1); every sign-in attempt would take seconds")
            }
        case .django:
            let iterations = try parseDjango(fields).iterations
            guard iterations <= maximumImportedDjangoIterations else {
                return CostlyHash(
                    algorithm: "pbkdf2_sha256",
                    fault: "\(iterations) iterations is more than the \(maximumImportedDjangoIterations) an imported "
                        + "hash may (Django 6.0 uses 1,200,000); every sign-in attempt would take seconds")
            }
        }
        return nil
    }

    /// A stored hash whose every check would cost more than an import allows, said without what to do about it:
    /// ``validateFormat(_:allowingCostly:)`` adds ``costlyHashAdvice`` (the parameters an app passes), `accounts
    /// import` its flag.
    package struct CostlyHash: Sendable, Hashable {
        /// `scrypt` or `pbkdf2_sha256`.
        package let algorithm: String
        /// What the hash costs against the limit, and what that means for sign-ins.
        package let fault: String

        /// The refusal, ending with `advice` (how its reader imports the hash anyway) in parentheses.
        package func error(advice: String) -> PasswordHashError {
            .parametersOutOfRange(algorithm: algorithm, problem: "\(fault) (\(advice))")
        }
    }

    /// How a hash refused as too costly is let in anyway, as the library's message ends: the parameters an app passes.
    package static let costlyHashAdvice =
        "import it anyway with allowsCostlyPasswordHashes: true (AccountReader) or allowingCostly: true "
        + "(PasswordHasher.validateFormat)"

    /// The most scrypt work (N·r·p) an imported hash may ask for: 2^20, four times ``Parameters/recommended``, about
    /// half a second per check on the project's machine. A wrong password costs what the right one does, so a dearer
    /// hash would let anyone who knows the login spend that much of the server per attempt.
    public static let maximumImportedScryptWork: UInt64 = 1 << 20

    /// The most PBKDF2 iterations an imported Django hash may ask for: 3,000,000, about 0.9 s per check here (Django
    /// 5.2 uses 1,000,000, 6.0 1,200,000).
    public static let maximumImportedDjangoIterations = 3_000_000
}
