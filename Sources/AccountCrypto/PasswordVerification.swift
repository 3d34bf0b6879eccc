/// The outcome of checking a password against a stored hash.
public enum PasswordVerification: Sendable, Equatable {
    /// The password matches; when `needsRehash` is true, hash it again with `PasswordHasher.hash(password:)` and store
    /// the new hash (the stored one is Django's, or its scrypt parameters differ from the hasher's).
    case valid(needsRehash: Bool)
    /// The password does not match.
    case invalid
}
