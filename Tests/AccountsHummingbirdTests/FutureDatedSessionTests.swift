import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// A session last used at a time ahead of this server's clock (used on a server whose clock runs ahead, or before
/// this clock was set back) has its idle expiry that far ahead too. Its use here was never written back (its last use
/// looked younger than the touch interval), so a session left alone outlived the idle lifetime by the skew.
struct FutureDatedSessionTests {
    @Test func aSessionUsedAheadOfTheClockEndsAnIdleLifetimeAfterItsLastUseHere() async throws {
        try await WebApp.run { app in
            // Given ada, signed in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            #expect(try await browser.get("/whoami").text == "ada")
            // When the clock is set back an hour, and she uses the session once
            app.clock.advance(by: -3600)
            #expect(try await browser.get("/whoami").text == "ada")
            // Then, left alone for an idle lifetime (an hour) and a second, the session has ended
            app.clock.advance(by: 3600 + 1)
            #expect(try await browser.get("/whoami").text == "nobody")
        }
    }
}
