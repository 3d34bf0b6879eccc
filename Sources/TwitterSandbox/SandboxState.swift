internal import Foundation

/// Everything the sandbox remembers between requests; one per run, in memory.
actor SandboxState {
    struct PendingAuthorization: Sendable {
        enum Decision: Sendable, Equatable {
            case undecided
            case approved(userID: UInt64, verifier: String)
            case denied
            case exchanged
        }

        let token: String
        let secret: String
        let callback: String
        let issuedAt: Date
        var decision: Decision
    }

    struct IssuedAccessToken: Sendable {
        let token: String
        let secret: String
        let userID: UInt64
    }

    private var pending: [String: PendingAuthorization] = [:]
    private var accessTokensByToken: [String: IssuedAccessToken] = [:]
    private var accessTokensByUser: [UInt64: IssuedAccessToken] = [:]
    private var seenNonces: [String: Int64] = [:]
    private var failures: [SandboxEndpoint: [SandboxFailure]] = [:]
    private var sessions: [String: UInt64] = [:]
    private var approvedUsers: Set<UInt64> = []

    // MARK: Failures

    func enqueue(_ failure: SandboxFailure, for endpoint: SandboxEndpoint) {
        failures[endpoint, default: []].append(failure)
    }

    func nextFailure(for endpoint: SandboxEndpoint) -> SandboxFailure? {
        guard var queue = failures[endpoint], !queue.isEmpty else { return nil }
        let failure = queue.removeFirst()
        failures[endpoint] = queue
        return failure
    }

    // MARK: Nonces

    /// Records the nonce; false when the same consumer already used it with the same timestamp (a replay).
    func useNonce(_ nonce: String, timestamp: Int64, consumerKey: String, now: Int64, tolerance: Int64) -> Bool {
        seenNonces = seenNonces.filter { abs(now - $0.value) <= tolerance }
        let key = "\(consumerKey)\u{0}\(timestamp)\u{0}\(nonce)"
        guard seenNonces[key] == nil else { return false }
        seenNonces[key] = timestamp
        return true
    }

    // MARK: Request tokens

    func issueRequestToken(callback: String, now: Date) -> PendingAuthorization {
        let authorization = PendingAuthorization(
            token: RandomToken.alphanumeric(count: 27),
            secret: RandomToken.alphanumeric(count: 32),
            callback: callback,
            issuedAt: now,
            decision: .undecided
        )
        pending[authorization.token] = authorization
        return authorization
    }

    /// The pending authorization for `token` if it exists and has not expired.
    func pendingAuthorization(_ token: String, now: Date, lifetime: TimeInterval) -> PendingAuthorization? {
        guard let authorization = pending[token] else { return nil }
        guard now.timeIntervalSince(authorization.issuedAt) <= lifetime else {
            pending[token] = nil
            return nil
        }
        return authorization
    }

    /// Records the person's decision; false unless the token is pending and undecided.
    func decide(_ token: String, decision: PendingAuthorization.Decision) -> Bool {
        guard var authorization = pending[token], authorization.decision == .undecided else { return false }
        authorization.decision = decision
        pending[token] = authorization
        return true
    }

    /// Marks an approved request token exchanged, so it cannot be exchanged again; false when it was not approved
    /// (another request exchanged it first).
    func markExchanged(_ token: String) -> Bool {
        guard case .approved = pending[token]?.decision else { return false }
        pending[token]?.decision = .exchanged
        return true
    }

    // MARK: Access tokens

    /// The user's access token for this app, made on first use and the same afterwards (as Twitter does).
    func accessToken(for userID: UInt64) -> IssuedAccessToken {
        if let existing = accessTokensByUser[userID] { return existing }
        let issued = IssuedAccessToken(
            token: "\(userID)-" + RandomToken.alphanumeric(count: 40),
            secret: RandomToken.alphanumeric(count: 45),
            userID: userID
        )
        accessTokensByUser[userID] = issued
        accessTokensByToken[issued.token] = issued
        return issued
    }

    /// Revokes an access token: `false` when it is not (or no longer) issued.
    func invalidate(_ token: String) -> Bool {
        guard let issued = accessTokensByToken.removeValue(forKey: token) else { return false }
        if accessTokensByUser[issued.userID]?.token == token { accessTokensByUser[issued.userID] = nil }
        // A revoked app is no longer approved: the next "Sign in with Twitter" asks again, as Twitter does.
        approvedUsers.remove(issued.userID)
        return true
    }

    func accessToken(_ token: String) -> IssuedAccessToken? {
        accessTokensByToken[token]
    }

    // MARK: Browser sessions

    /// Starts a browser session for the fake user and remembers that they approved the app.
    func signIn(userID: UInt64, approved: Bool) -> String {
        let session = RandomToken.alphanumeric(count: 32)
        sessions[session] = userID
        if approved { approvedUsers.insert(userID) }
        return session
    }

    func signedInUser(session: String?) -> UInt64? {
        session.flatMap { sessions[$0] }
    }

    func hasApproved(userID: UInt64) -> Bool {
        approvedUsers.contains(userID)
    }
}
