import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// What an app that follows README's `LocalAccounts` and `RegistrationService` samples (rather than mounting
/// `AccountRoutes`) gets: the calls as README writes them must not leave a way into the account open.
struct ReadmeSampleSessionTests {
    static let password = PasswordResetTests.password

    /// README's sample changes a password with `changePassword(for:current:new:)`. Whoever signed in with the old
    /// password (or holds a stolen session) does not stay signed in: a reset ends every session, and so does a change
    /// that names no session to keep (until session 41 the default, `endingSessionsBut: nil`, ended none).
    @Test func changingThePasswordAsReadmeWritesItEndsTheAccountsSessions() async throws {
        try await PasswordResetTests().withAnn { local, store, clock, database, ann in
            // Given ann signed in on two devices
            try await PasswordResetTests().addSession(store, ann.id, clock)
            try await PasswordResetTests().addSession(store, ann.id, clock)
            // When she changes her password as README's sample does
            try await local.changePassword(
                for: ann.id, current: Self.password, new: Secret("a completely new passphrase"))
            // Then no session signed in with the old password is left
            #expect(
                countQuery(database, "SELECT count(*) FROM browser_sessions") == 0,
                "changePassword(for:current:new:) left the account's other sessions signed in")
        }
    }

    /// `RegistrationService.unlink(_:)` as README names it: the sessions signed in through the Twitter account end
    /// with it (the web route passes `endingSessionsBut:` to keep its own; a caller that passed none once got no
    /// sign-out at all).
    @Test func unlinkingTwitterAsReadmeWritesItEndsTheAccountsSessions() async throws {
        try await PasswordResetTests().withAnn { _, store, clock, database, ann in
            try await store.linkTwitter(twitterIdentity("77"), credential: nil, to: .id(ann.id))
            try await PasswordResetTests().addSession(store, ann.id, clock)
            let registration = RegistrationService(
                store: store,
                twitter: TwitterClient(
                    consumer: ConsumerCredentials(key: "k", secret: "s"), baseURL: URL(string: "http://127.0.0.1:9")!),
                configuration: .init(callbackURL: "http://127.0.0.1:9/register/twitter/callback"))
            _ = try await registration.unlink(ann.id)
            #expect(
                countQuery(database, "SELECT count(*) FROM browser_sessions") == 0,
                "unlink(_:) left the sessions signed in through the unlinked Twitter account")
        }
    }
}
