import AccountCrypto
public import AccountModel
import AccountStore
import TwitterOAuth

extension RegistrationService {
    /// Carries the draft `draftID` of browser session `old` over to `new`, and nothing else, when `account` is the
    /// account the draft was offered to: one whose normalised mailbox is the Twitter profile's email (see
    /// ``CallbackOutcome/matchesExistingAccount(candidate:draft:)``).
    ///
    /// Call it when a person signs in to `account` with its password to link that draft ("this email already has an
    /// account — sign in to link") and the app rotates the browser's session id: the link can then finish in the new
    /// session. Every other draft and pending authorization of the old id stays behind, out of reach of the new one,
    /// and so does a draft whose Twitter email is not the account's: another site on the same host can plant a
    /// session cookie whose drafts hold its own Twitter account, and send the person to sign in "to link" it. Only the
    /// SHA-256 bindings of the ids reach the store.
    ///
    /// A draft this carried already from `old` for `account` to another new session moves on to `new`: two sign-ins
    /// sent at once (a double-clicked "Sign in to link") each make a session, and both carry the draft, the second
    /// from the first's session, so that whichever answer the browser keeps last names a session that holds it. (Until
    /// session 64 the second found the draft gone from `old` and answered "registration closed", and a browser that
    /// kept that answer's cookie had lost the draft.) Only a caller holding `old` that signed in to that same account
    /// can: a draft never moves to another account, nor to a session not made from the one that held it.
    /// - Returns: whether the draft moved.
    @discardableResult
    public func carryDraft(_ draftID: String, from old: String, to new: String, for account: UserID)
        async throws(RegistrationError) -> Bool
    {
        let stored: RegistrationDraft?
        do {
            // (read whatever session holds it: the store moves it only from `old`, or as carried from `old` for
            // `account`)
            stored = try await store.draft(id: draftID)
        } catch {
            throw .store(error)
        }
        guard let draft = stored, draft.expiresAt > store.currentDate,
            let email = (try? TwitterProfile(json: draft.profileJSON))?.email
        else { return false }
        do {
            guard try await store.accounts(sharingMailboxWith: email).contains(where: { $0.id == account }) else {
                return false
            }
            return try await store.rebindDraft(
                draftID, from: RegistrationService.binding(old), to: RegistrationService.binding(new),
                carriedAs: RegistrationService.carryMark(old, account))
        } catch {
            throw .store(error)
        }
    }

    /// What a draft carried from browser session `old` for `account` keeps as where it came from: a SHA-256 of both,
    /// from which neither can be read back.
    static func carryMark(_ old: String, _ account: UserID) -> String {
        SHA256.hexDigest(Array("accounts/draft-carry/v1:\(binding(old)):\(account.rawValue)".utf8))
    }
}
