import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// What a screen reader, a keyboard, a password manager and a browser's own form checks make of the pages (session 64's
/// reading against WCAG 2.2 and the password-manager conventions): the message tied to the field it is about, the
/// page's title saying a form was refused, the login named beside every password, the policy's length in the labels,
/// and no browser check refusing what the routes take.
struct FormFitnessTests {
    static let password = PasswordResetRoutesTests.password

    static func tag(_ id: String, _ html: String) -> String? { PageAccessibilityTests.tag(withID: id, in: html) }

    static func focused(_ tag: String) -> Bool { PageAccessibilityTests.hasBooleanAttribute("autofocus", tag) }

    static func describedBy(_ tag: String) -> [Substring] {
        PageAccessibilityTests.attribute("aria-describedby", of: tag)?.split(separator: " ") ?? []
    }

    /// The page's `<title>` text.
    static func title(_ html: String) -> String {
        guard let start = html.range(of: "<title>"), let end = html.range(of: "</title>") else { return "" }
        return String(html[start.upperBound..<end.lowerBound])
    }

    // MARK: - The field at fault

    /// A wrong current password on "Change address" marks the password field, not the new address beside it (until
    /// session 64 the address was marked invalid, focused, and read out as "The current password is not correct").
    @Test func aWrongPasswordOnTheChangeOfAddressMarksThePasswordNotTheAddress() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox)) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let refused = try await browser.submit(
                "/account", to: "/account/email",
                [("new_email", "ada2@example.org"), ("current_password", "not the password")])
            #expect(refused.status == 401)
            let address = try #require(Self.tag("new_email", refused.text))
            let current = try #require(Self.tag("email_current_password", refused.text))
            #expect(!address.contains("aria-invalid") && !Self.focused(address), "\(address)")
            #expect(current.contains("aria-invalid=\"true\"") && Self.focused(current), "\(current)")
            #expect(Self.describedBy(current) == ["email-error"])
            #expect(Self.title(refused.text).hasPrefix("Error: Your account"), "\(Self.title(refused.text))")
            // And a bad address marks the address
            let bad = try await browser.submit(
                "/account", to: "/account/email",
                [("new_email", "ada@example,org"), ("current_password", Self.password)])
            #expect(bad.status == 422)
            let badAddress = try #require(Self.tag("new_email", bad.text))
            #expect(badAddress.contains("aria-invalid=\"true\"") && Self.focused(badAddress), "\(badAddress)")
            #expect(!(try #require(Self.tag("email_current_password", bad.text))).contains("aria-invalid"))
        }
    }

    /// The password forms and "Delete account" of the account page: the message marks the input it is about and
    /// takes it the focus (the page is long; "Delete account" is at its bottom).
    @Test func theAccountPageMarksTheInputEachRefusalIsAbout() async throws {
        try await WebApp.run { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let wrong = try await browser.submit(
                "/account", to: "/account/password",
                [("current_password", "not the password"), ("new_password", "another good password")])
            #expect(wrong.status == 401)
            let current = try #require(Self.tag("current_password", wrong.text))
            #expect(current.contains("aria-invalid=\"true\"") && Self.focused(current), "\(current)")
            #expect(Self.describedBy(current) == ["password-error"])
            #expect(!(try #require(Self.tag("new_password", wrong.text))).contains("aria-invalid"))

            let short = try await browser.submit(
                "/account", to: "/account/password", [("current_password", Self.password), ("new_password", "short")])
            #expect(short.status == 422)
            let new = try #require(Self.tag("new_password", short.text))
            #expect(new.contains("aria-invalid=\"true\"") && Self.focused(new), "\(new)")
            #expect(!(try #require(Self.tag("current_password", short.text))).contains("aria-invalid"))

            let unticked = try await browser.submit(
                "/account", to: "/account/delete", [("current_password", Self.password)])
            #expect(unticked.status == 422)
            let box = try #require(Self.tag("delete-confirm", unticked.text))
            #expect(box.contains("aria-invalid=\"true\"") && Self.focused(box), "\(box)")
            #expect(Self.describedBy(box) == ["delete-error"])

            let wrongDelete = try await browser.submit(
                "/account", to: "/account/delete", [("confirm", "yes"), ("current_password", "not the password")])
            #expect(wrongDelete.status == 401)
            let deleteField = try #require(Self.tag("delete_current_password", wrongDelete.text))
            #expect(deleteField.contains("aria-invalid=\"true\"") && Self.focused(deleteField), "\(deleteField)")
            // (one focus on a page)
            #expect(wrongDelete.text.components(separatedBy: " autofocus").count == 2)
            #expect(try await app.store.account(.username("ada")) != nil)
        }
    }

    /// A refusal no input can answer (a Twitter-only account asked to log in again before changing its address)
    /// takes the focus itself.
    @Test func aMessageNoInputCanAnswerTakesTheFocus() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox)) { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.zoe)
            _ = try await browser.finishRegistration(
                after: arrival, [("username", "zoe_angstrom"), ("email", "zoe@example.com")])
            let page = try await browser.get("/account")
            app.clock.advance(by: 20 * 60)
            let refused = try await browser.post(
                "/account/email", [("csrf_token", try #require(page.csrfToken)), ("new_email", "zoe2@example.com")])
            #expect(refused.status == 403)
            let message = try #require(Self.tag("email-error", refused.text))
            #expect(Self.focused(message) && message.contains("tabindex=\"-1\""), "\(message)")
        }
    }

    // MARK: - Titles

    /// A refused form's page says so in its title, the first thing a screen reader reads of it.
    @Test func aRefusedFormsTitleSaysSo() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let signUp = try await browser.submit(
                "/signup", to: "/signup", [("username", "a b"), ("email", "no-at-sign"), ("password", "short")])
            #expect(signUp.status == 422)
            #expect(Self.title(signUp.text).hasPrefix("3 errors: Sign up"), "\(Self.title(signUp.text))")
            let logIn = try await browser.submit(
                "/login", to: "/login", [("login", "nobody"), ("password", "not the password")])
            #expect(Self.title(logIn.text).hasPrefix("Error: Log in"), "\(Self.title(logIn.text))")
            let fresh = try await browser.get("/signup")
            #expect(Self.title(fresh.text).hasPrefix("Sign up"), "\(Self.title(fresh.text))")
        }
    }

    // MARK: - Password managers

    /// Every form of the account page with a password field names the login it is for (a hidden text input,
    /// `autocomplete="username"`) before its first field: a password manager otherwise takes the nearest text field
    /// (the new address) for the login, and saves or fills the password under it.
    @Test func everyPasswordFormNamesItsLogin() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox)) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let page = try await browser.get("/account")
            for form in ["change-password-form", "change-email-form", "delete-account-form"] {
                let start = try #require(page.text.range(of: "id=\"\(form)\""), "no \(form)")
                let body = page.text[start.upperBound...].prefix { _ in true }
                let end = try #require(body.range(of: "</form>"))
                let inside = String(body[..<end.lowerBound])
                let login = try #require(inside.range(of: "autocomplete=\"username\""), "\(form) names no login")
                let password = try #require(inside.range(of: "type=\"password\""))
                #expect(login.lowerBound < password.lowerBound)
                #expect(inside.contains("value=\"ada\" autocomplete=\"username\" readonly hidden"), "\(form)")
                if let email = inside.range(of: "id=\"new_email\"") { #expect(login.lowerBound < email.lowerBound) }
            }
        }
    }

    /// A password manager's "Change password" opens `/.well-known/change-password` (W3C): the routes send it to the
    /// account page.
    @Test func theWellKnownChangePasswordURLLeadsToTheAccountPage() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let answer = try await browser.get("/.well-known/change-password")
            #expect(answer.status == 303 && answer.location == "/account", "\(answer.status) \(answer.location ?? "")")
        }
    }

    // MARK: - The browser's own checks

    /// The forms that take an address leave checking it to the routes (`novalidate`): a browser's `type=email` check
    /// refuses `josé@example.org`, which the routes take, so its owner could not ask for a reset link.
    @Test func formsWithAnAddressLeaveTheCheckToTheRoutes() async throws {
        let resets = Locked<[AccountRoutes.PasswordResetMail]>([])
        try await WebApp.run(configuration: PasswordResetRoutesTests.configuration(resets)) { app in
            var browser = app.browser()
            let forgot = try await browser.get("/password/forgot")
            let form = try #require(Self.tag("forgot-form", forgot.text))
            #expect(PageAccessibilityTests.hasBooleanAttribute("novalidate", form), "\(form)")
        }
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox)) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let page = try await browser.get("/account")
            let form = try #require(Self.tag("change-email-form", page.text))
            #expect(PageAccessibilityTests.hasBooleanAttribute("novalidate", form), "\(form)")
        }
    }

    // MARK: - The policy's length

    /// A site that asks for 12 characters says 12 on every form that sets a password (until session 64 the labels
    /// said 10 whatever the policy, and the account page's said nothing).
    @Test func newPasswordLabelsGiveThePolicysLength() async throws {
        var policy = PasswordPolicy()
        policy.minimumLength = 12
        try await WebApp.run(passwordPolicy: policy) { app in
            var browser = app.browser()
            let signUp = try await browser.get("/signup")
            #expect(signUp.text.contains("Password (at least 12 characters)"))
            #expect(!signUp.text.contains("10 characters"))
            _ = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password + "xy")])
            let account = try await browser.get("/account")
            #expect(account.text.contains("New password (at least 12 characters)"), "\(account.text)")
        }
    }

    // MARK: - The registration form's notes

    /// "from Twitter" and "missing" describe their inputs (`aria-describedby`), and a draft's problem marks its input
    /// invalid: a screen reader otherwise reads "Email (required), blank" and nothing of why.
    @Test func theRegistrationFormsNotesDescribeTheirInputs() async throws {
        // (the email required, as by default)
        try await WebApp.run { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.yamada)
            let form = try await browser.get(try #require(arrival.location))
            let email = try #require(Self.tag("email", form.text))
            #expect(Self.describedBy(email).contains("email-missing"), "\(email)")
            let username = try #require(Self.tag("username", form.text))
            #expect(Self.describedBy(username).contains("username-from-twitter"), "\(username)")
        }
    }

    // MARK: - Forms that can succeed

    /// A person who lost the Twitter account their account was made with arrives with a new one of the same address.
    /// Their account has no password and a confirmed address, so no reset link goes to it: the page offers no password
    /// form and no "Forgot your password?" (until session 64 it offered both, and the reset answered that a link was
    /// sent), and says that only its Twitter account, or the site's operator, opens it.
    @Test func anAccountOnlyTwitterOpensIsNotOfferedAPasswordSignIn() async throws {
        let resets = Locked<[AccountRoutes.PasswordResetMail]>([])
        try await WebApp.run(configuration: PasswordResetRoutesTests.configuration(resets)) { app in
            _ = try await app.store.createAccount(
                newAccount("ada_old", email: "ada@example.org", emailVerified: true),
                linking: twitterIdentity("42", screenName: "ada_gone"),
                credential: TwitterCredential(token: "42-token", secret: Secret("token secret")))
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.ada)
            #expect(arrival.location?.hasPrefix("/register/existing?draft=") == true, "\(arrival.location ?? "")")
            let page = try await browser.get(try #require(arrival.location))
            #expect(page.status == 200)
            #expect(!page.text.contains("id=\"existing-form\"") && !page.text.contains("type=\"password\""))
            #expect(!page.text.contains("id=\"forgot-password\""))
            #expect(page.text.contains("id=\"match-twitter-only\"") && page.text.contains("operator"))
            #expect(page.text.contains("id=\"existing-login-twitter\""))
            #expect(page.text.contains("Register a new account"))
        }
    }

    /// The same for an account whose address is not confirmed when the site mails no reset links (no
    /// `passwordReset`): no link would come, so the page offers no password sign-in; with reset links mailed, it does
    /// (the reset would set the account's first password).
    @Test func anUnconfirmedAccountWithoutPasswordIsOfferedASignInOnlyWhenResetsAreMailed() async throws {
        for mailsResets in [false, true] {
            let resets = Locked<[AccountRoutes.PasswordResetMail]>([])
            let configuration =
                mailsResets ? PasswordResetRoutesTests.configuration(resets) : AccountRoutes.Configuration()
            try await WebApp.run(configuration: configuration) { app in
                _ = try await app.store.createAccount(
                    newAccount("ada_old", email: "ada@example.org"),
                    linking: twitterIdentity("42", screenName: "ada_gone"),
                    credential: TwitterCredential(token: "42-token", secret: Secret("token secret")))
                var browser = app.browser()
                let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.ada)
                let page = try await browser.get(try #require(arrival.location))
                #expect(page.text.contains("id=\"existing-form\"") == mailsResets, "resets mailed: \(mailsResets)")
                #expect(page.text.contains("id=\"match-twitter-only\"") == !mailsResets)
            }
        }
    }
}
