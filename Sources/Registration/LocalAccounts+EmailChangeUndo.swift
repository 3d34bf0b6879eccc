import AccountCrypto
public import AccountModel
public import AccountStore
public import Foundation

/// Whom a working undo link is for, and what following it restores
/// (``LocalAccounts/emailChangeUndoTarget(token:)``).
public struct EmailChangeUndoTarget: Sendable, Equatable {
    /// The account, as it is now.
    public let account: Account
    /// The address following the link makes the account's again (where the link was mailed).
    public let restores: String
    /// The address the change made the account's.
    public let replacedBy: String
    /// When the change was made.
    public let changedAt: Date
    /// The Twitter account linked to the account, if any.
    public let twitter: TwitterIdentity?
    /// Whether undoing the change unlinks ``twitter`` in any case: it was linked since the change. One linked before
    /// is unlinked only when the person says it is not theirs
    /// (``LocalAccounts/undoEmailChange(token:newPassword:unlinkingTwitter:signingIn:)``).
    public let unlinksTwitter: Bool
}

/// What undoing a change of address did (``LocalAccounts/undoEmailChange(token:newPassword:unlinkingTwitter:signingIn:)``).
public struct EmailChangeUndoOutcome: Sendable {
    /// The account, its address restored and confirmed, with its new password.
    public let account: Account
    /// The address the undo replaced: the one the account had, which the change made its address (or a later change
    /// did).
    public let replaced: String
    /// The browser sessions of the account that were live and ended.
    public let sessionsEnded: Int
    /// The Twitter identity the undo unlinked (linked since the change); `nil` when none was.
    public let unlinkedTwitter: TwitterIdentity?
    /// That identity's access token as stored when it was unlinked (to revoke at Twitter); `nil` when none was
    /// stored. Its secret is redacted in every description.
    public let unlinkedCredential: TwitterCredential?
    /// With `signingIn`: the mark to open the person's session with
    /// (``AccountStore/replaceBrowserSession(_:with:unlessEndedAfter:)``), the undo having ended every other; `nil`
    /// without.
    public let signedIn: AccountStore.EventMark?
}

extension LocalAccounts {
    // MARK: - Undoing a change of address

    /// Whom a working undo link's `token` is for, and what following it restores (unused, not ended, not expired, the
    /// account active), or `nil`: what the page shows before the person chooses a new password.
    public func emailChangeUndoTarget(token: Secret) async throws(LocalAccountError) -> EmailChangeUndoTarget? {
        guard let hash = Self.resetTokenHash(token) else { return nil }
        do {
            guard let link = try await store.emailChangeUndoTarget(tokenHash: hash) else { return nil }
            return EmailChangeUndoTarget(
                account: link.account, restores: link.restores, replacedBy: link.replacedBy, changedAt: link.changedAt,
                twitter: link.account.twitter,
                unlinksTwitter: link.account.twitter.map { $0.linkedAt >= link.changedAt }
                    ?? false)
        } catch {
            throw .store(error)
        }
    }

    /// Undoes the change of address a working undo link's `token` was mailed for, with `newPassword` (checked against
    /// ``passwordPolicy``) as the account's password, in one transaction: the old address is the account's again and
    /// confirmed, every browser session of the account ends, its email links, password reset links and the undo links
    /// of this and later changes end, the sign-in cool-down of its logins ends, and `email_change_undone` is recorded.
    /// Whoever changed the address knew the password (or held a session), so the person chooses a new one here.
    ///
    /// The Twitter identity linked since the change is unlinked (an `unlinked` event, reason
    /// `address_change_undone`): whoever moved the address could have linked their own Twitter account, which would
    /// let them back in. So is one linked before whose id is `unlinkingTwitter`: they could have linked theirs just
    /// before the change, so the page asks (``EmailChangeUndoTarget/twitter``). Revoke its token at Twitter
    /// (``RegistrationService/revokeAccess(_:)``) and tell the person, as `AccountRoutes` does.
    ///
    /// With `signingIn`, the undo also signs in whoever made it (they read the notice at the old address and chose the
    /// password): the last sign-in time is set and a `signed_in` event (method `email_change_undo`) recorded in the
    /// undo's transaction; ``EmailChangeUndoOutcome/signedIn`` is the mark to open their session with.
    /// - Throws: ``LocalAccountError/invalidUndoLink`` when the link does not work, ``LocalAccountError/invalid(_:)``
    ///   naming the password's problems or an old address another account holds now; nothing changes then, and the
    ///   link still works if it did.
    public func undoEmailChange(
        token: Secret, newPassword: Secret, unlinkingTwitter: TwitterUserID? = nil, signingIn: Bool = false
    ) async throws(LocalAccountError) -> EmailChangeUndoOutcome {
        guard let hash = Self.resetTokenHash(token) else { throw .invalidUndoLink }
        let link: EmailChangeUndoLink?
        do {
            link = try await store.emailChangeUndoTarget(tokenHash: hash)
        } catch {
            throw .store(error)
        }
        guard let link else { throw .invalidUndoLink }
        let problems = passwordPolicy.problems(
            with: newPassword.revealed, username: link.account.username, email: link.restores)
        guard problems.isEmpty else { throw .invalid(problems) }
        let passwordHash = try await hashOffPool(newPassword)
        // (the store clears the account's own cool-downs, under the keys they are counted under; and the address's
        // it gets back)
        let loginKeys = [Self.loginKey(link.restores)]
        do {
            switch try await store.undoEmailChange(
                tokenHash: hash, newHash: passwordHash, clearingFailuresFor: loginKeys,
                unlinkingTwitter: unlinkingTwitter, signingIn: signingIn)
            {
            case .undone(let account, _, let replaced, let ended, let unlinked, let credential, let signedIn):
                return EmailChangeUndoOutcome(
                    account: account, replaced: replaced, sessionsEnded: ended, unlinkedTwitter: unlinked,
                    unlinkedCredential: credential, signedIn: signedIn)
            case .invalidToken: throw LocalAccountError.invalidUndoLink
            }
        } catch let error as LocalAccountError {
            throw error
        } catch StoreError.duplicate(.email) {
            throw .invalid([FieldError(.email, "\(link.restores) belongs to another account now")])
        } catch {
            throw Self.localError(error)
        }
    }

}
