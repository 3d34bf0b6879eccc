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
    /// - Returns: whether the draft moved.
    @discardableResult
    public func carryDraft(_ draftID: String, from old: String, to new: String, for account: UserID)
        async throws(RegistrationError) -> Bool
    {
        let draft: RegistrationDraft
        do {
            draft = try await openDraft(draftID, browserSession: old)
        } catch .store(let error) {
            throw .store(error)
        } catch {
            return false
        }
        guard let email = (try? TwitterProfile(json: draft.profileJSON))?.email else { return false }
        do {
            guard try await store.accounts(sharingMailboxWith: email).contains(where: { $0.id == account }) else {
                return false
            }
            return try await store.rebindDraft(
                draftID, from: RegistrationService.binding(old), to: RegistrationService.binding(new))
        } catch {
            throw .store(error)
        }
    }
}
