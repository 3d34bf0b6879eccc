import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Hummingbird
import Logging

/// Server-side browser sessions kept in the account store, referenced by a random id in a cookie.
///
/// The id is 32 bytes from ``SecureRandom`` (256 bits) as 64 hex digits; the store keeps only its SHA-256, so several
/// app instances over one database agree on every session, and deleting a row revokes it. Sign-in always makes a new
/// id (rotation): an id seen before signing in is worth nothing after.
struct BrowserSessions: Sendable {
    let store: AccountStore
    let configuration: AccountRoutes.Configuration
    let logger: Logger

    /// The session of this request: the id the browser holds (a secret: never logged or shown) and its row.
    struct Current: Sendable {
        /// The cookie's value.
        var id: String
        /// What the store keeps.
        var record: BrowserSession
        /// Whether the browser does not have this id yet (the response must set the cookie).
        var isNew: Bool
        /// The session's account as read with it (``load(_:secure:)``), whatever its status; `nil` when not read.
        var account: Account? = nil
        /// The stored row as ``load(_:secure:)`` read it; `nil` for a session not read from the store (new, anonymous).
        var loaded: AccountStore.LoadedSession? = nil
    }

    /// The session cookie's name: over HTTPS ``AccountRoutes/Configuration/cookieName`` with the `__Host-` prefix,
    /// which browsers take only from this very host, `Secure`, with `Path=/` and no `Domain`: a site on a sibling
    /// subdomain cannot plant an id of its own (for the callback's path, say) to have a Twitter sign-in land in a
    /// session it holds. Plain HTTP (a local demo) has no such prefix.
    func cookieName(secure: Bool) -> String {
        secure ? "__Host-" + configuration.cookieName : configuration.cookieName
    }

    /// The live session named by the request's cookie (with its account, read in the same transaction), or `nil`; its
    /// idle expiry is pushed on (at most once a minute; not while another process holds the write lock past
    /// ``AccountStore/touchLockWait``).
    /// `secure`: whether the browser used HTTPS (which cookie names the session).
    func load(_ request: Request, secure: Bool) async throws(StoreError) -> Current? {
        guard let id = request.cookies[cookieName(secure: secure)]?.value, Self.isWellFormed(id) else { return nil }
        guard let (stored, account, rowID) = try await store.browserSessionWithAccount(tokenHash: Self.hash(id)) else {
            return nil
        }
        let loaded = AccountStore.LoadedSession(
            rowID: rowID, tokenHash: stored.tokenHash, user: stored.user, createdAt: stored.createdAt)
        var record = stored
        let now = store.currentDate
        // (at most a tenth of the idle lifetime: a session whose use is written back less often than its idle lifetime
        // would end while in use; and a last use dated more than a minute ahead of this clock, by a server whose clock
        // runs ahead or before this one was set back, is written back too: its idle expiry is that far ahead)
        let sinceLastUse = now.timeIntervalSince(record.lastSeenAt)
        if sinceLastUse >= min(configuration.touchInterval, configuration.idleLifetime / 10)
            || sinceLastUse < -AccountRoutes.futureSignInAllowance
        {
            let idle = min(now.addingTimeInterval(configuration.idleLifetime), record.expiresAt)
            do throws(StoreError) {
                try await store.touchBrowserSession(tokenHash: record.tokenHash, at: now, idleExpiresAt: idle)
                record.lastSeenAt = now
                record.idleExpiresAt = idle
            } catch .busy {
                // Another process holds the write lock (an import, a purge's rebuild): the page is served with the
                // session as read, and the next request touches it again. (Until session 62 a page view waited out the
                // busy timeout, 30 s, then failed with 500.)
            }
        }
        return Current(id: id, record: record, isNew: false, account: account, loaded: loaded)
    }

    /// The request's session: the stored one its cookie names, or else an anonymous one, which is not stored.
    ///
    /// An anonymous session is a visitor id (``isVisitorID(_:)``) with a CSRF token derived from it
    /// (``anonymousCSRFToken(_:)``), so a view without a cookie writes nothing: a crawler or a script that drops its
    /// cookies cannot fill the table, or keep the database writing, by asking for pages. Nothing the routes keep for
    /// someone not signed in needs a row: pending authorizations and drafts are bound to the id's hash, and sign-in
    /// writes the first row (a new id).
    ///
    /// The cookie's own id is kept only when it is a visitor id. Any other (a signed-in id whose session expired or
    /// was ended, or something not of our shape) gets a new visitor id: an ended signed-in id may have been copied
    /// while it was live, and whoever copied it must not share the visitor state (a Twitter sign-up under way, its
    /// draft) of the browser that still holds it.
    func loadOrCreate(_ request: Request, secure: Bool) async throws(StoreError) -> Current {
        if let current = try await load(request, secure: secure) { return current }
        let now = store.currentDate
        if let id = request.cookies[cookieName(secure: secure)]?.value, Self.isVisitorID(id) {
            return Self.anonymous(id: id, now: now, isNew: false, configuration: configuration)
        }
        return Self.anonymous(
            id: Self.visitorPrefix + SecureRandom.hexString(count: 32), now: now, isNew: true,
            configuration: configuration)
    }

    /// Signs `user` in: a new session id, CSRF token and lifetimes (and `device`, the browser's label) replace `old`,
    /// and the account's device list notes `seen`, in one transaction. The store's refusal when `user` was deleted or
    /// disabled, or every session of it was ended by an event after `mark` (read before the sign-in's checks began),
    /// with nothing changed but the `sign_in_refused` event that says which. Else the new session and whether the
    /// account had signed in from `seen` before.
    func rotate(
        _ old: Current?, to user: UserID, checkedAfter mark: AccountStore.EventMark, device: String?, seen: String
    )
        async throws(StoreError) -> Result<
            (session: Current, device: AccountStore.DeviceSighting), AccountStore.SessionRefusal
        >
    {
        var new = Self.make(user: user, now: store.currentDate, configuration: configuration)
        new.record.device = device
        return try await store.replaceBrowserSession(
            old?.record.tokenHash, with: new.record, unlessEndedAfter: mark, notingDevice: seen
        ).map { sighting in (new, sighting) }
    }

    /// `current` under a new id and CSRF token, the rest kept, and the rekey that gives its row them: for a change of
    /// the account's ways in made from it, which writes the rekey in its own transaction (a copy of the old cookie
    /// then signs nobody in from the moment the change lands; until session 60 the rekey was a second write after it,
    /// and a failure between the two left the copy signed in).
    func rekeyed(_ current: Current) -> (Current, BrowserSessionRekey) {
        let id = SecureRandom.hexString(count: 32)
        var record = current.record
        record.tokenHash = Self.hash(id)
        record.csrfToken = SecureRandom.hexString(count: 32)
        return (
            Current(id: id, record: record, isNew: true),
            BrowserSessionRekey(tokenHash: record.tokenHash, csrfToken: record.csrfToken)
        )
    }

    /// Ends the session (sign-out): the row it was loaded from, under whatever id a change made from it in another
    /// tab gave it meanwhile (``AccountStore/deleteBrowserSession(loaded:)``). Until session 64 the row was deleted by
    /// the id the sign-out was sent with: a password change landing between the two left the session live under its
    /// new id, and the page said "You signed out".
    func end(_ current: Current) async throws(StoreError) {
        guard let loaded = current.loaded else {
            try await store.deleteBrowserSession(tokenHash: current.record.tokenHash)
            return
        }
        try await store.deleteBrowserSession(loaded: loaded)
    }

    /// The cookie that hands `current`'s id to the browser.
    func cookie(for current: Current, secure: Bool) -> Cookie {
        Cookie(
            name: cookieName(secure: secure), value: current.id, path: "/", secure: secure, httpOnly: true,
            sameSite: .lax)
    }

    /// The cookie that makes the browser forget its session id.
    func clearingCookie(secure: Bool) -> Cookie {
        Cookie(
            name: cookieName(secure: secure), value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
            secure: secure, httpOnly: true, sameSite: .lax)
    }

    // MARK: - Ids

    static func make(user: UserID?, now: Date, configuration: AccountRoutes.Configuration) -> Current {
        let id = SecureRandom.hexString(count: 32)
        let record = BrowserSession(
            tokenHash: hash(id), user: user, csrfToken: SecureRandom.hexString(count: 32), createdAt: now,
            lastSeenAt: now,
            idleExpiresAt: now.addingTimeInterval(min(configuration.idleLifetime, configuration.absoluteLifetime)),
            expiresAt: now.addingTimeInterval(configuration.absoluteLifetime))
        return Current(id: id, record: record, isNew: true)
    }

    /// An anonymous session that is not stored: id `id`, the CSRF token derived from it.
    static func anonymous(
        id: String, now: Date, isNew: Bool, configuration: AccountRoutes.Configuration
    ) -> Current {
        let record = BrowserSession(
            tokenHash: hash(id), user: nil, csrfToken: anonymousCSRFToken(id), createdAt: now, lastSeenAt: now,
            idleExpiresAt: now.addingTimeInterval(min(configuration.idleLifetime, configuration.absoluteLifetime)),
            expiresAt: now.addingTimeInterval(configuration.absoluteLifetime))
        return Current(id: id, record: record, isNew: isNew)
    }

    /// The CSRF token of the anonymous session `id`: SHA-256 of a label and the id, in hex. Whoever knows the id (the
    /// browser holding it in an `HttpOnly` cookie) can have the token, as with a stored random one, which the pages
    /// hand to whoever holds the cookie; a page from elsewhere knows neither, and the token does not give the id back.
    static func anonymousCSRFToken(_ id: String) -> String {
        SHA256.hexDigest(Array("accounts/anonymous-csrf/v1:\(id)".utf8))
    }

    /// What the store keeps for a session id: its SHA-256, in hex.
    static func hash(_ id: String) -> String {
        SHA256.hexDigest(Array(id.utf8))
    }

    /// What starts a visitor id (never a signed-in one): the two kinds cannot be taken for each other.
    static let visitorPrefix = "v"

    /// Whether `id` is a visitor id: ``visitorPrefix`` and 64 lowercase hex digits (32 random bytes). It is never
    /// looked up: visitors have no row.
    static func isVisitorID(_ id: String) -> Bool {
        id.hasPrefix(visitorPrefix) && isWellFormed(String(id.dropFirst(visitorPrefix.count)))
    }

    /// Whether `id` has the shape of a signed-in session's id (64 lowercase hex digits); anything else is not even
    /// looked up.
    static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 64 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

extension BrowserSessions.Current {
    /// The account of `user` (this session's): the one read with the session, else read now.
    func accountOrRead(_ store: AccountStore, _ user: UserID) async throws(StoreError) -> Account? {
        if let account, account.id == user { return account }
        return try await store.account(.id(user))
    }
}
