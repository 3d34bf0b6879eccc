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
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        switch try scheme(of: fields) {
        case .scrypt:
            let parameters = try parseScrypt(fields).parameters
            let work = parameters.n * UInt64(parameters.r) * UInt64(parameters.p)
            guard allowingCostly || work <= maximumImportedScryptWork else {
                throw .parametersOutOfRange(
                    algorithm: "scrypt",
                    problem:
                        "\(parameters) costs N·r·p = \(work), more than the \(maximumImportedScryptWork) an imported "
                        + "hash may (4 times ln=15$r=8$p=1); every sign-in attempt would take seconds ("
                        + "\(costlyHashAdvice))")
            }
        case .django:
            let iterations = try parseDjango(fields).iterations
            guard allowingCostly || iterations <= maximumImportedDjangoIterations else {
                throw .parametersOutOfRange(
                    algorithm: "pbkdf2_sha256",
                    problem: "\(iterations) iterations is more than the \(maximumImportedDjangoIterations) an imported "
                        + "hash may (Django 6.0 uses 1,200,000); every sign-in attempt would take seconds ("
                        + "\(costlyHashAdvice))")
            }
        }
    }

    /// How a hash refused as too costly is let in anyway, as the end of its message: the parameters an app passes.
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
