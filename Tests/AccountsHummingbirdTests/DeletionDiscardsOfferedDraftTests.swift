import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// README: the web's "Delete account" "discards the registration drafts of the browser (`discardDrafts(browserSession:)`:
/// a Twitter sign-in left unfinished there, such as a match offered to the account, with its profile and token)".
struct DeletionDiscardsOfferedDraftTests {
    static let password = "correct horse battery"

    /// Ada is offered her account by the Twitter sign-in's address ("This email already has an account"), then signs
    /// in with the ordinary log-in form rather than the match page's, and deletes her account. Signing in gave the
    /// browser a new session id; the offered draft (her Twitter profile and a working access token), bound to the old
    /// one, goes with the account all the same (`discardDrafts(offeredTo:)`, by the profile's mailbox).
    @Test func deletingTheAccountDiscardsAMatchOfferedBeforeAnOrdinarySignIn() async throws {
        try await WebApp.run { app in
            // Given Ada's email account, signed out
            var browser = app.browser()
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            // (she confirmed the address: only then does the account speak for the mailbox's drafts)
            try executeSQL(app.databasePath, "UPDATE users SET email_verified_at = 1 WHERE username = 'ada'")
            _ = try await browser.submit("/account", to: "/sign-out", [])
            // When she arrives through Twitter and is offered her account
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.ada)
            #expect(arrival.location?.hasPrefix("/register/existing?draft=") == true)
            let draftID = try #require(arrival.draftInLocation)
            #expect(try await app.store.draft(id: draftID) != nil)
            // and signs in with the log-in form, then deletes her account from this browser
            _ = try await browser.submit("/login", to: "/login", [("login", "ada"), ("password", Self.password)])
            let deleted = try await browser.submit(
                "/account", to: "/account/delete", [("confirm", "yes"), ("current_password", Self.password)])
            #expect(deleted.location == "/?notice=account_deleted")
            #expect(try await app.store.account(.username("ada")) == nil)
            // Then the match offered to the deleted account went with it
            #expect(
                try await app.store.draft(id: draftID) == nil,
                "the draft offered to the deleted account (profile and access token) is still stored")
        }
    }

    /// A stranger signs up with Ada's address (not confirmed: they cannot read her mail) and is offered nothing; Ada,
    /// arriving through Twitter, is offered that account ("This email already has an account"). The stranger deleting
    /// it does not throw away her registration, nor revoke its token: until session 63 it did (any `+tag` of a Gmail
    /// address did as well), from a browser that never saw her draft.
    @Test func deletingAnAccountWhoseAddressIsNotConfirmedLeavesTheDraftsOfferedToIt() async throws {
        try await WebApp.run { app in
            var stranger = app.browser()
            _ = try await stranger.submit(
                "/signup", to: "/signup",
                [("username", "notada"), ("email", "ada@example.org"), ("password", Self.password)])
            var ada = app.browser()
            let arrival = try await ada.viaTwitter("/register/twitter", as: WebApp.ada)
            #expect(arrival.location?.hasPrefix("/register/existing?draft=") == true)
            let draftID = try #require(arrival.draftInLocation)

            let deleted = try await stranger.submit(
                "/account", to: "/account/delete", [("confirm", "yes"), ("current_password", Self.password)])
            #expect(deleted.location == "/?notice=account_deleted")
            #expect(try await app.store.account(.username("notada")) == nil)
            #expect(try await app.store.draft(id: draftID) != nil, "the stranger's deletion discarded Ada's draft")
            #expect(!app.sandboxLogLines.value.contains { $0.contains("access token invalidated") })
        }
    }

    /// A draft made before the account was is no match offered to it (the account did not exist): deleting the
    /// account, its address confirmed, leaves it.
    @Test func deletingAnAccountLeavesTheDraftsMadeBeforeIt() async throws {
        try await WebApp.run { app in
            var ada = app.browser()
            let arrival = try await ada.viaTwitter("/register/twitter", as: WebApp.ada)
            #expect(arrival.location?.hasPrefix("/register/details?draft=") == true)
            let draftID = try #require(arrival.draftInLocation)
            app.clock.advance(by: 1)
            var other = app.browser()
            _ = try await other.submit(
                "/signup", to: "/signup",
                [("username", "ada2"), ("email", "ada@example.org"), ("password", Self.password)])
            try executeSQL(app.databasePath, "UPDATE users SET email_verified_at = 1 WHERE username = 'ada2'")

            let deleted = try await other.submit(
                "/account", to: "/account/delete", [("confirm", "yes"), ("current_password", Self.password)])
            #expect(deleted.location == "/?notice=account_deleted")
            #expect(try await app.store.draft(id: draftID) != nil, "a draft older than the account was discarded")
        }
    }
}
