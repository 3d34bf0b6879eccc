import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import TestSupport
import Testing

/// The app's own pages can post to the routes: `csrfToken(_:context:)` gives the session's token for a "Sign out"
/// button of the app's header; a browser without a session gets none (a token made up now would match nothing).
struct AppOwnPagesTests {
    @Test func anAppPageSignsOutWithTheSessionsToken() async throws {
        try await WebApp.run { app in
            var stranger = app.browser()
            #expect(try await stranger.get("/app-csrf").text == "none")
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            #expect(try await ada.get("/whoami").text == "ada")
            let token = try await ada.get("/app-csrf").text
            #expect(token != "none" && token.count >= 32)
            // A wrong token is refused as from any form; the session's signs out
            let wrong = String(token.reversed())
            #expect(try await ada.post("/sign-out", [("csrf_token", wrong)]).status == 403)
            #expect(try await ada.get("/whoami").text == "ada")
            let signedOut = try await ada.post("/sign-out", [("csrf_token", token)])
            #expect(signedOut.status == 303)
            #expect(try await ada.get("/whoami").text == "nobody")
        }
    }
}

/// An app's tests of its mailer build the mails as the routes do; their descriptions never show the link.
struct MailValueTests {
    @Test func mailsBuiltByAnAppKeepTheirLinksOutOfTheirDescriptions() {
        let link = Secret("https://app.example/password/reset?token=" + String(repeating: "a", count: 64))
        let expires = Date(timeIntervalSince1970: 1_800_000_000)
        let reset = AccountRoutes.PasswordResetMail(
            to: "ada@example.org", username: "ada", link: link, expiresAt: expires)
        let confirm = AccountRoutes.EmailVerificationMail(
            to: "ada@example.org", username: "ada", changesAddress: true, link: link, expiresAt: expires)
        let notice = AccountRoutes.EmailChangeNotice(
            to: "old@example.org", username: "ada", newAddress: "ada@example.org", changedAt: expires)
        #expect(reset.description == "password reset mail to ada@example.org for ada, link <redacted>")
        #expect(confirm.description == "email change mail to ada@example.org for ada, link <redacted>")
        #expect(notice.description == "email change notice to old@example.org for ada")
        let shown = [reset.description, confirm.description, String(describing: reset), String(reflecting: confirm)]
        #expect(!shown.contains { $0.contains("token=") })
    }
}
