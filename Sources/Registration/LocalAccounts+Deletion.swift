public import AccountModel
public import AccountStore

extension LocalAccounts {
    // MARK: - Deleting one's own account

    /// Deletes the account of `user` at its owner's request, as ``AccountStore/deleteAccount(_:actor:)`` does (its
    /// Twitter identity and token, password, sessions, links and drafts, in one transaction; a `deleted` event by
    /// `user` that keeps only the public id and counts).
    ///
    /// An account with a password is deleted only with it: `current` is checked and counted as in
    /// ``changePassword(for:current:new:endingSessionsBut:rekeying:)`` (``LocalAccountError/wrongPassword``,
    /// ``LocalAccountError/throttled(retryAfter:)``), and a password reset or change made while it was checked wins
    /// (it is checked once more against the hash there then). An account without one (made through Twitter) has no
    /// password to vouch for the person, and `current` is not read (pass `nil`): call this only just after the person
    /// signed in (`AccountsHummingbird` asks for a sign-in within the last 10 minutes); one given a password meanwhile
    /// is ``LocalAccountError/hasPassword``. For an account with a password, `nil` is checked as an empty password
    /// would be: ``LocalAccountError/wrongPassword``, counted. While a link that undoes a change of the account's
    /// address works, the owner may not delete it (``StoreError/addressChangeUndoable(_:until:)``, as
    /// ``LocalAccountError/store(_:)``): whoever moved the address knew the password, and the deletion would end the
    /// link that gives the account back to the former address's owner. Nothing changes when it throws.
    public func deleteAccount(for user: UserID, current: Secret?) async throws(LocalAccountError) -> AccountDeletion {
        let record = try await requireRecord(user)
        guard let stored = record.passwordHash else {
            guard let deletion = try await deleteAccount(user, ifPasswordHash: nil) else { throw .hasPassword }
            return deletion
        }
        let current = current ?? Secret("")
        try await checkCurrent(current, against: stored, of: user)
        return try await overCheckedHash(of: user, checked: current, against: stored) {
            verified throws(LocalAccountError) in
            try await deleteAccount(user, ifPasswordHash: verified)
        }
    }

    private func deleteAccount(_ user: UserID, ifPasswordHash hash: String?) async throws(LocalAccountError)
        -> AccountDeletion?
    {
        do {
            return try await store.deleteAccount(user, actor: "user", ifPasswordHash: hash)
        } catch {
            throw .store(error)
        }
    }
}
