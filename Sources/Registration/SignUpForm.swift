public import AccountModel
import Foundation

/// What a person typed into the email sign-up form.
public struct SignUpForm: Sendable {
    /// The username wanted.
    public var username: String
    /// The email address.
    public var email: String
    /// The password, as typed.
    public var password: Secret
    /// The given name (optional).
    public var firstName: String?
    /// The family name (optional).
    public var lastName: String?

    /// Makes a form from text fields.
    public init(username: String, email: String, password: Secret, firstName: String? = nil, lastName: String? = nil) {
        self.username = username
        self.email = email
        self.password = password
        self.firstName = firstName
        self.lastName = lastName
    }

    /// Makes a form from raw request bytes, refusing text that is not UTF-8 (naming every such field at once).
    public init(
        username: [UInt8], email: [UInt8], password: [UInt8], firstName: [UInt8]? = nil, lastName: [UInt8]? = nil
    ) throws(LocalAccountError) {
        var errors: [FieldError] = []
        func text(_ bytes: [UInt8]?, _ field: Field) -> String? {
            guard let bytes else { return nil }
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                errors.append(FieldError(field, "must be valid UTF-8 text"))
                return nil
            }
            return decoded
        }
        let username = text(username, .username)
        let email = text(email, .email)
        let password = text(password, .password)
        let firstName = text(firstName, .firstName)
        let lastName = text(lastName, .lastName)
        guard errors.isEmpty, let username, let email, let password else { throw .invalid(errors) }
        self.init(
            username: username, email: email, password: Secret(password), firstName: firstName, lastName: lastName)
    }
}

/// The rules a new password must meet.
public struct PasswordPolicy: Sendable, Hashable {
    /// The fewest characters (Unicode grapheme clusters) a password may have, both as typed and in the form it is
    /// hashed in (NFKC: ten Hangul compatibility jamo are five syllables, and one `ﷺ` is eighteen characters): 10 by
    /// default.
    public var minimumLength = 10
    /// The most UTF-8 bytes a password may have: 1,024 by default (scrypt's cost does not grow with it, but a cap keeps
    /// requests bounded).
    public var maximumBytes = 1_024

    /// The default policy.
    public init() {}

    /// What is wrong with `password` for an account called `username` with `email`: the first problem found, in this
    /// order (empty, a NUL character, too many bytes, too short, the username, the address), or none. One at a time,
    /// as each one fixed may settle the next.
    public func problems(with password: String, username: String?, email: String?) -> [FieldError] {
        if password.isEmpty { return [FieldError(.password, "is required")] }
        if password.utf8.contains(0) { return [FieldError(.password, "must not contain a NUL character")] }
        if password.utf8.count > maximumBytes {
            return [FieldError(.password, "must be at most \(maximumBytes) bytes")]
        }
        // Counted as typed and as hashed, in NFKC (``LocalAccounts``), and compared as hashed: full-width `ａｎｎ` is
        // the password `ann`; `ㄱㅏ` typed five times is five characters, `가가가가가` (until session 61 counted as
        // typed, ten), and one `ﷺ` typed is one (NFKC makes it eighteen)
        let hashed = password.utf8.allSatisfy({ $0 < 0x80 }) ? password : password.nfkc
        if min(password.count, hashed.count) < minimumLength {
            return [FieldError(.password, "must be at least \(minimumLength) characters")]
        }
        let folded = hashed.lowercased()
        if let username, !username.isEmpty, folded == username.nfkc.lowercased() {
            return [FieldError(.password, "must not be the same as the username")]
        }
        if let email, !email.isEmpty, folded == EmailAddress.trim(email).nfkc.lowercased() {
            return [FieldError(.password, "must not be the same as the email address")]
        }
        return []
    }
}

/// Problems with an optional personal name.
func nameProblems(_ name: String?, _ field: Field) -> [FieldError] {
    guard let name, let problem = PersonName.problem(with: name) else { return [] }
    return [FieldError(field, problem)]
}
