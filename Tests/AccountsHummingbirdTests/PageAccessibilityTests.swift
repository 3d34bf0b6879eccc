import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// The pages as a person (and their assistive technology, password manager and browser) uses them: errors tied to
/// their fields, the input kept, autofill purposes, focus on the problem, and forms offered only when they can succeed.
struct PageAccessibilityTests {
    static let password = PasswordResetRoutesTests.password

    /// The start tag of the element with `id` in `html` (`<input … id="email" …>`), or `nil`.
    static func tag(withID id: String, in html: String) -> String? {
        guard let idRange = html.range(of: "id=\"\(id)\"") else { return nil }
        guard let open = html[..<idRange.lowerBound].lastIndex(of: "<"),
            let close = html[idRange.upperBound...].firstIndex(of: ">")
        else { return nil }
        return String(html[open...close])
    }

    /// The value of `attribute` in the start tag `tag`, or `nil` when it has none.
    static func attribute(_ attribute: String, of tag: String) -> String? {
        guard let start = tag.range(of: " \(attribute)=\"") else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" })
    }

    /// Whether the start tag `tag` carries the boolean attribute `attribute` (`autofocus`, `required`).
    static func hasBooleanAttribute(_ attribute: String, _ tag: String) -> Bool {
        tag.contains(" \(attribute)>") || tag.contains(" \(attribute) ") || tag.contains(" \(attribute)=")
    }

    // MARK: - Errors tied to their fields

    /// Each refused field of the sign-up form is marked `aria-invalid`, and `aria-describedby` names its message
    /// (`<span id="…-error">`): a screen reader reads why, not only "invalid entry".
    @Test func signUpFieldErrorsAreLinkedToTheirFields() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let refused = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "a b"), ("email", "no-at-sign"), ("password", "short"), ("last_name", "")])
            #expect(refused.status == 422)
            for field in ["username", "email", "password"] {
                let input = try #require(Self.tag(withID: field, in: refused.text))
                #expect(input.contains("aria-invalid=\"true\""))
                #expect(refused.text.contains("id=\"\(field)-error\""))
                let described = Self.attribute("aria-describedby", of: input)?.split(separator: " ") ?? []
                #expect(
                    described.contains("\(field)-error"),
                    "the invalid \(field) field is not described by its error message: \(input)")
            }
        }
    }

    /// The same on the Twitter registration form.
    @Test func registrationFormFieldErrorsAreLinkedToTheirFields() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.zoe)
            let refused = try await browser.finishRegistration(
                after: arrival, [("username", "<x>"), ("email", "no-at-sign")])
            #expect(refused.status == 422)
            for field in ["username", "email"] {
                let input = try #require(Self.tag(withID: field, in: refused.text))
                #expect(input.contains("aria-invalid=\"true\""))
                let described = Self.attribute("aria-describedby", of: input)?.split(separator: " ") ?? []
                #expect(
                    described.contains("\(field)-error"),
                    "the invalid \(field) field is not described by its error message: \(input)")
            }
        }
    }

    /// And on the "choose a new password" page of a reset link.
    @Test func aRefusedNewPasswordIsLinkedToItsMessage() async throws {
        let outbox = Locked<[AccountRoutes.PasswordResetMail]>([])
        try await WebApp.run(configuration: PasswordResetRoutesTests.configuration(outbox)) { app in
            _ = try await PasswordResetRoutesTests.signUpAda(app)
            var browser = app.browser()
            _ = try await browser.submit("/password/forgot", to: "/password/forgot", [("email", "ada@example.org")])
            let mail = try #require(try await PasswordResetRoutesTests.mails(outbox, count: 1).first)
            let form = try await browser.get(String(mail.link.revealed.dropFirst("https://accounts.example".count)))
            let refused = try await browser.post(
                "/password/reset",
                [
                    ("csrf_token", try #require(form.csrfToken)), ("token", try #require(form.hiddenValue("token"))),
                    ("password", "short"),
                ])
            #expect(refused.status == 422)
            let input = try #require(Self.tag(withID: "password", in: refused.text))
            #expect(input.contains("aria-invalid=\"true\""))
            let described = Self.attribute("aria-describedby", of: input)?.split(separator: " ") ?? []
            #expect(
                described.contains("password-error"), "the new password field is not described by its error: \(input)")
        }
    }

    // MARK: - Autofill purposes

    /// The Twitter registration form asks for the same things as the email sign-up form (a username, an email
    /// address, a given and a family name) and says what each is for (`autocomplete`), so that browsers and password
    /// managers can fill it in (WCAG 2.1 SC 1.3.5, Identify Input Purpose).
    @Test func theTwitterRegistrationFormSaysWhatEachFieldIsFor() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.zoe)
            let form = try await browser.get(try #require(arrival.location))
            #expect(form.status == 200)
            let purposes = [
                ("username", "username"), ("email", "email"), ("first_name", "given-name"),
                ("last_name", "family-name"),
            ]
            for (field, purpose) in purposes {
                let input = try #require(Self.tag(withID: field, in: form.text))
                #expect(
                    Self.attribute("autocomplete", of: input) == purpose,
                    "the registration form's \(field) field has no autocomplete=\"\(purpose)\": \(input)")
            }
        }
    }

    // MARK: - Input kept

    /// A change of address the server refuses (a mistyped address) comes back as the account page with the message
    /// "The new address must …" and the "New address" field holding what was typed, which the message is about.
    @Test func aRefusedChangeOfAddressKeepsTheAddressTyped() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox)) { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let typed = "ada.lovelace@example,org"
            let refused = try await browser.submit(
                "/account", to: "/account/email", [("new_email", typed), ("current_password", Self.password)])
            #expect(refused.status == 422, "\(refused.status)")
            #expect(refused.text.contains("id=\"email-error\""))
            let input = try #require(Self.tag(withID: "new_email", in: refused.text))
            #expect(
                Self.attribute("value", of: input) == typed,
                "the refused address is not kept in the New address field: \(input)")
        }
    }

    // MARK: - Focus on the problem

    /// A refused sign-up puts the person on the first field to correct (`autofocus`), not at the top of a new page.
    @Test func aRefusedSignUpPutsFocusOnTheFirstFieldToCorrect() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let refused = try await browser.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "no-at-sign"), ("password", "short")])
            #expect(refused.status == 422)
            // (the email is the first refused field in the form's order)
            let email = try #require(Self.tag(withID: "email", in: refused.text))
            #expect(Self.hasBooleanAttribute("autofocus", email), "the first invalid field has no autofocus: \(email)")
        }
    }

    /// "Delete account" sits at the bottom of the account page. Refused (the box not ticked), the page comes back with
    /// the reason over that form announced (`role="alert"`), though the browser shows the top of the page.
    @Test func aRefusedAccountPageFormPutsFocusOnItsProblem() async throws {
        try await WebApp.run { app in
            var browser = try await PasswordResetRoutesTests.signUpAda(app)
            let refused = try await browser.submit(
                "/account", to: "/account/delete", [("current_password", Self.password)])
            #expect(refused.status == 422)
            #expect(refused.text.contains("id=\"delete-error\""))
            let box = try #require(Self.tag(withID: "delete-confirm", in: refused.text))
            let error = try #require(Self.tag(withID: "delete-error", in: refused.text))
            #expect(
                Self.hasBooleanAttribute("autofocus", box) || error.contains("role=\"alert\""),
                "nothing brings the refused deletion's problem to the person: \(error) \(box)")
        }
    }

    // MARK: - Words a person can act on

    /// The sign-up form's error summary ("Please fix: …") names the fields by the labels the person sees ("First
    /// name"), not by their form names (`first_name`), in the form's order.
    @Test func theSignUpErrorSummaryNamesFieldsByTheirLabels() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let refused = try await browser.submit(
                "/signup", to: "/signup",
                [
                    ("username", "ada"), ("email", "ada@example.org"), ("password", Self.password),
                    ("first_name", String(repeating: "x", count: 101)),
                ])
            #expect(refused.status == 422)
            let summaryTag = try #require(Self.tag(withID: "form-errors", in: refused.text))
            let start = try #require(refused.text.range(of: summaryTag))
            let summary = String(refused.text[start.upperBound...].prefix { $0 != "<" })
            #expect(!summary.contains("first_name"), "the summary names a field by its form name: \(summary)")
            #expect(summary.contains("First name"), "the summary does not use the field's label: \(summary)")
        }
    }

    // MARK: - Forms that can succeed

    /// For an account made through Twitter (no password), a change of address is refused (403, "log in with Twitter
    /// again first") once `recentSignIn` has passed since signing in, as adding a password and deleting the account
    /// are; like those two sections, the "Email address" section then says so instead of offering a form that can
    /// only be refused after the person typed their new address.
    @Test func aTwitterAccountIsNotOfferedAChangeOfAddressItWouldBeRefused() async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        try await WebApp.run(configuration: EmailVerificationRoutesTests.configuration(outbox)) { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.zoe)
            let registered = try await browser.finishRegistration(
                after: arrival, [("username", "zoe_angstrom"), ("email", "zoe@example.com")])
            #expect(registered.location == "/account?notice=registered")
            app.clock.advance(by: 20 * 60)
            let account = try await browser.get("/account")
            #expect(account.text.contains("id=\"password-sign-in-again\""))
            let offered = account.text.contains("id=\"change-email-form\"")
            #expect(account.text.contains("id=\"email-sign-in-again\""))
            let sent = try await browser.post(
                "/account/email",
                [("csrf_token", try #require(account.csrfToken)), ("new_email", "zoe.new@example.com")])
            #expect(
                !(offered && sent.status == 403),
                "the account page offers a change of address that is refused (\(sent.status)) for this session")
        }
    }

    /// "Where you're signed in" gives each other session a "Sign out" button whose accessible name says which session
    /// it ends, so that a screen reader's list of buttons (or voice control) tells it from the header's "Sign out".
    @Test func eachSessionsSignOutButtonIsToldApartFromTheHeadersSignOut() async throws {
        try await WebApp.run { app in
            var firefox = app.browser()
            firefox.extraHeaders = [HTTPHeader(name: "User-Agent", value: SessionListRoutesTests.firefox)]
            _ = try await firefox.submit(
                "/signup", to: "/signup",
                [("username", "ada"), ("email", "ada@example.org"), ("password", Self.password)])
            var other = app.browser()
            _ = try await other.submit("/login", to: "/login", [("login", "ada"), ("password", Self.password)])
            let page = try await other.get("/account")
            let marker = "id=\"end-session-"
            let start = try #require(page.text.range(of: marker), "no other session is listed")
            let id = "end-session-" + String(page.text[start.upperBound...].prefix { $0 != "\"" })
            let button = try #require(Self.tag(withID: id, in: page.text))
            let afterButton = try #require(page.text.range(of: button))
            let label = String(page.text[afterButton.upperBound...].prefix { $0 != "<" })
            let name = Self.attribute("aria-label", of: button) ?? label
            #expect(name != "Sign out", "the button that ends the Firefox session is just \"\(name)\"")
        }
    }
}
