public import AccountStore

extension RegistrationService {
    /// Carries the pending authorizations and drafts of browser session `old` over to `new`, in one transaction.
    ///
    /// Call it when the app rotates a browser's session id (at every sign-in): a Twitter flow started before signing in
    /// ("this email already has an account — sign in to link") can then finish after. Only the SHA-256 bindings of the
    /// ids reach the store.
    @discardableResult
    public func rotate(browserSession old: String, to new: String) async throws(RegistrationError)
        -> AccountStore.RebindReport
    {
        do {
            return try await store.rebindBrowserSession(
                from: RegistrationService.binding(old), to: RegistrationService.binding(new))
        } catch {
            throw .store(error)
        }
    }
}
