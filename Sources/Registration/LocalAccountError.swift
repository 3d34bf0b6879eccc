public import AccountModel
public import AccountStore
public import Foundation

/// Why a local-account call did not go through. Never carries a password.
public enum LocalAccountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fields are missing or invalid; every problem is listed, and nothing was written.
    case invalid([FieldError])
    /// The current password given to change or remove a password is wrong.
    case wrongPassword
    /// The account has no local password to change or remove.
    case noPassword
    /// The account has a password already: it can be changed
    /// (``LocalAccounts/changePassword(for:current:new:endingSessionsBut:rekeying:)``), not set
    /// (``LocalAccounts/setPassword(for:new:endingSessionsBut:rekeying:)``).
    case hasPassword
    /// Too many wrong current passwords for the account (``LocalAccounts/maximumFailures`` within
    /// ``LocalAccounts/failureWindow``): none is checked until `retryAfter`.
    case throttled(retryAfter: Date)
    /// A password reset link that does not work: used, replaced by a newer one, expired, or its account disabled or
    /// deleted.
    case invalidResetLink
    /// An email confirmation link that does not work: used, replaced by a newer one, expired, sent to an address the
    /// account no longer has, or its account disabled or deleted.
    case invalidVerificationLink
    /// A link that undoes a change of address that does not work: used, ended by the undo of the same or an earlier
    /// change, expired, or its account disabled or deleted.
    case invalidUndoLink
    /// A password could not be hashed or checked (OpenSSL failed: out of memory, or no random bytes for a new hash's
    /// salt); nothing was written, and a check that could not be made is not counted as a wrong password.
    case hashingFailed
    /// The store failed (the database, a taken value found only at write time, …).
    case store(StoreError)

    /// A sentence a person can act on (`field: problem`); never a password.
    public var description: String {
        switch self {
        case .invalid(let errors): return errors.map(\.description).joined(separator: "; ")
        case .wrongPassword: return "password: the current password is not correct"
        case .noPassword:
            return "password: the account has no password; it signs in with Twitter until one is set"
        case .hasPassword: return "password: the account has a password already; change it with the current one"
        case .throttled(let retryAfter):
            return "password: too many wrong current passwords; try again after \(retryAfter)"
        case .invalidResetLink:
            return "password reset link: it was used, replaced by a newer one or has expired; ask for a new one"
        case .invalidVerificationLink:
            return "email confirmation link: it was used, replaced by a newer one or has expired; ask for a new one"
        case .invalidUndoLink:
            return "email change undo link: it was used or has expired; ask the site's operator for help"
        case .hashingFailed:
            // (until session 60 `cannot use the sealed password: hashing failed`: a password is hashed, not sealed)
            return "password: the password could not be hashed or checked (OpenSSL failed: out of memory, or no "
                + "random bytes for a new hash's salt); nothing was changed or counted: try again"
        case .store(let error): return error.description
        }
    }
}

/// The answer to a password sign-in.
public enum SignInOutcome: Sendable, Equatable {
    /// The password is right: the account, with its last sign-in time updated.
    case signedIn(Account)
    /// Unknown login or wrong password — the same answer, after the same work, for both.
    case invalidCredentials
    /// Too many failures for this login identifier recently; try again after the date.
    case throttled(retryAfter: Date)
    /// The password is right but an operator disabled the account.
    case disabled
}
