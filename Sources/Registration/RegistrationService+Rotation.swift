import AccountStore

extension RegistrationService {
    /// Carries the draft `draftID` of browser session `old` over to `new`, and nothing else.
    ///
    /// Call it when a person signs in to link that draft ("this email already has an account — sign in to link") and
    /// the app rotates the browser's session id: the link can then finish in the new session. Every other draft and
    /// pending authorization of the old id stays behind, out of reach of the new one: another site on the same host
    /// can plant a session cookie whose drafts hold its own Twitter account, and those must not follow the person
    /// into theirs. Only the SHA-256 bindings of the ids reach the store.
    /// - Returns: whether the draft belonged to `old` and moved.
    @discardableResult
    public func carryDraft(_ draftID: String, from old: String, to new: String) async throws(RegistrationError) -> Bool
    {
        do {
            return try await store.rebindDraft(
                draftID, from: RegistrationService.binding(old), to: RegistrationService.binding(new))
        } catch {
            throw .store(error)
        }
    }
}
