public import AccountModel
public import AccountStore
public import Foundation
public import TwitterOAuth

/// A registration draft as the app shows it: what Twitter told us, the pre-filled fields, and what is still needed.
public struct DraftView: Sendable, Hashable {
    /// The draft id the form posts back.
    public var id: String
    /// The Twitter user id.
    public var twitterUserID: TwitterUserID
    /// The Twitter screen name.
    public var screenName: String
    /// The Twitter display name.
    public var twitterName: String
    /// Pre-filled values by field (`username`, `email`, `first_name`, `last_name`); only fields with a value.
    public var fields: [Field: String]
    /// Required fields that are empty or invalid, each with what is wrong; none for a link's draft
    /// (``CallbackOutcome/readyToLink(_:)``), which no form completes.
    public var missing: [FieldError]
    /// When the draft stops being accepted.
    public var expiresAt: Date
    /// The signed-in account a link begun from its account page (``AuthorizationPurpose/link``) is for; `nil` for the
    /// draft of a sign-up or log-in through Twitter.
    public var linkUser: UserID? = nil
    /// The address Twitter gave (its profile's `email`), by whose mailbox a match with an account is found; `nil` when
    /// it gave none.
    public var twitterEmail: String? = nil
}

/// Why the person must start again (the app's log gets the reason; the person gets a plain message).
public enum RestartReason: String, Sendable, Hashable, CaseIterable {
    /// No pending authorization matches the callback (never started here, or already purged).
    case noPendingAuthorization = "no_pending_authorization"
    /// The callback's token does not match the browser session's pending authorizations.
    case tokenMismatch = "token_mismatch"
    /// The token belongs to another browser session.
    case otherBrowserSession = "other_browser_session"
    /// The pending authorization expired.
    case expired
    /// The pending authorization was used already (a replayed or double callback).
    case alreadyUsed = "already_used"
    /// The person cancelled at Twitter.
    case denied
    /// The callback lacks `oauth_token` or `oauth_verifier`.
    case missingParameter = "missing_parameter"
    /// The Twitter account is linked to an account an operator disabled (the refusal is audited).
    case accountDisabled = "account_disabled"
    /// Twitter refused to exchange the callback's token and verifier for an access token (a made-up or altered
    /// verifier), or refused the access token it had just issued when asked for the profile (`verify_credentials`
    /// answering a bare 401, or code 89, 326 or 64: a token revoked at once, a locked or suspended account): the
    /// pending authorization is used up.
    case refusedByTwitter = "refused_by_twitter"

    /// A sentence for the person.
    public var message: String {
        switch self {
        case .denied: return "You cancelled signing in with Twitter. You can try again."
        case .expired: return "That sign-in with Twitter took too long. Please start again."
        case .accountDisabled: return "This account is disabled. Please contact the site's operator."
        default: return "That sign-in with Twitter could not be completed. Please start again."
        }
    }
}

/// What a Twitter callback turned into.
public enum CallbackOutcome: Sendable, Hashable {
    /// The Twitter id is linked already: this account is signed in (its credential and profile refreshed).
    case signedIn(Account)
    /// Not linked, but an account has the same normalised mailbox as the Twitter profile's email: the person must sign
    /// in to `candidate` (password) and then confirm the link. Never linked on email alone. When several accounts
    /// share the mailbox, `candidate` is the active one whose address is the profile's itself (letter case aside), else
    /// one without a Twitter identity if there is one (``RegistrationService``'s `candidate(among:address:)`); a
    /// `candidate` whose
    /// ``Account/twitter`` is set already holds another Twitter account, and takes this one only once that is unlinked
    /// (say so before asking for the password; ``RegistrationService/matchingAccount(draftID:browserSession:)`` looks
    /// it up again for a later page).
    case matchesExistingAccount(candidate: Account, draft: DraftView)
    /// A new person: the draft is pre-filled from the profile and names what is still missing.
    case needsDetails(DraftView)
    /// Purpose link, signed-in account without a Twitter identity: confirm, then ``RegistrationService/link(draftID:to:browserSession:)``.
    case readyToLink(DraftView)
    /// Any failed check: send the person back to the start. Nothing was written, except that a callback that got as
    /// far as asking Twitter for the access token used up its pending authorization (a replay is then told so), and
    /// ``RestartReason/accountDisabled`` also wrote the `sign_in_refused` event that audits the refusal.
    case restart(RestartReason)
}

/// What completing a registration form did.
public enum CompletionOutcome: Sendable, Hashable {
    /// The account was created, with its Twitter identity and credential, in one transaction.
    case registered(Account)
    /// Another tab or server registered this Twitter person first: that account is signed in instead.
    case signedIn(Account)
    /// Fields are missing or invalid (all of them listed); nothing was written and the draft is kept.
    case invalid([FieldError])
}

/// The registration form's fields as the person submitted them.
public struct RegistrationForm: Sendable, Hashable {
    /// The username.
    public var username: String
    /// The email address (may be empty when email is not required).
    public var email: String
    /// The given name.
    public var firstName: String
    /// The family name.
    public var lastName: String
    /// Whether the terms box was ticked (checked only when the service requires it).
    public var acceptedTerms: Bool

    /// Makes a form.
    public init(
        username: String, email: String = "", firstName: String = "", lastName: String = "", acceptedTerms: Bool = false
    ) {
        self.username = username
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.acceptedTerms = acceptedTerms
    }
}

/// Why a registration call failed (as opposed to a person's input being invalid, which is an outcome).
public enum RegistrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Twitter (or the sandbox) failed: rate limit, 5xx, time-out, bad JSON, refused credentials.
    case twitter(TwitterError)
    /// The store failed.
    case store(StoreError)
    /// No such draft: it expired and was purged, or it was completed already (a double submit).
    case draftNotFound
    /// The draft belongs to another browser session.
    case draftFromOtherBrowserSession
    /// The draft expired.
    case draftExpired
    /// This Twitter account is linked to another account already; nothing changed.
    case twitterLinkedToAnotherAccount
    /// The account has a Twitter identity already; unlink it first.
    case accountAlreadyLinked
    /// Linking needs a signed-in account.
    case notSignedIn
    /// The account this Twitter identity belongs to is disabled (the refusal is audited as `sign_in_refused`).
    case accountDisabled
    /// Too many Twitter authorizations were begun, by this client, its network or everyone (`scope`:
    /// ``RegistrationService/Configuration/beginsPerClient``, ``RegistrationService/Configuration/beginsPerNetwork``,
    /// ``RegistrationService/Configuration/beginsInAll``); nothing was asked of Twitter and nothing written. One more
    /// may begin at `retryAfter`.
    case throttled(retryAfter: Date, scope: RegistrationService.ThrottleScope)

    /// Whether this is Twitter refusing how the app is set up (``TwitterError/isSetupProblem``: an unregistered
    /// callback URL, a wrong consumer key, a clock off): only the operator can fix it, so a retry will not help.
    public var isTwitterSetupProblem: Bool {
        if case .twitter(let error) = self { return error.isSetupProblem }
        return false
    }

    /// A sentence the person or operator can act on; Twitter's errors begin `Twitter:`.
    public var description: String {
        switch self {
        case .twitter(let error): return "Twitter: \(error)"
        case .store(let error): return error.description
        case .draftNotFound: return "this registration is no longer open (completed or expired); start again"
        case .draftFromOtherBrowserSession: return "this registration was started in another browser; start again"
        case .draftExpired: return "this registration expired; start again"
        case .twitterLinkedToAnotherAccount:
            return "this Twitter account is already linked to another account; sign in to that one with Twitter, "
                + "or unlink it there first"
        case .accountAlreadyLinked: return "this account already has a linked Twitter account; unlink it first"
        case .notSignedIn: return "sign in first to link a Twitter account"
        case .accountDisabled: return "this account is disabled; contact the site's operator"
        case .throttled(let retryAfter, .client):
            return "too many Twitter sign-ins were started from here; try again after \(Self.time(retryAfter))"
        case .throttled(let retryAfter, .network):
            return "too many Twitter sign-ins were started from this network; try again after \(Self.time(retryAfter))"
        case .throttled(let retryAfter, .site):
            return "too many Twitter sign-ins are being started on this site; try again after \(Self.time(retryAfter))"
        }
    }

    /// `2026-12-03T17:04:05Z`, rounded up to the second (not earlier than the time it stands for).
    static func time(_ date: Date) -> String {
        StoreError.time(date)
    }
}
