import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing
import TwitterOAuth

/// The registration form a Twitter arrival leads to: the terms when the service requires them, and the way back to
/// it from its 429 page.
struct RegistrationFormRoutesTests {
    /// With `RegistrationService.Configuration.requiresTerms`, `POST /register/complete` refuses every form without
    /// `terms` ("terms must be accepted"), so the form must offer a box to tick: without one nobody can register
    /// through Twitter on the web, whatever they type.
    @Test func theRegistrationFormOffersTheTermsTheServiceRequires() async throws {
        var registration = RegistrationService.Configuration(callbackURL: "http://invalid.example/callback")
        registration.requiresTerms = true
        try await WebApp.run(registration: registration) { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.zoe)
            let form = try await browser.get(try #require(arrival.location))
            #expect(form.status == 200)
            // Sent as Twitter filled it in, only the terms are refused
            let sent = try await browser.post(
                "/register/complete",
                [
                    ("csrf_token", try #require(form.csrfToken)), ("draft", try #require(form.hiddenValue("draft"))),
                    ("username", "zoe_angstrom"), ("email", "zoe@example.com"),
                ])
            #expect(sent.status == 422 && sent.text.contains("must be accepted"))
            // …and both the form and the page that refuses it have a box to accept them with
            #expect(form.text.contains("name=\"terms\""), "the registration form has no terms box")
            #expect(sent.text.contains("name=\"terms\"") && sent.text.contains("id=\"terms-error\""))
            // Ticked, the registration goes through
            let accepted = try await browser.post(
                "/register/complete",
                [
                    ("csrf_token", try #require(sent.csrfToken)), ("draft", try #require(sent.hiddenValue("draft"))),
                    ("username", "zoe_angstrom"), ("email", "zoe@example.com"), ("terms", "yes"),
                ])
            #expect(
                accepted.location == "/account?notice=registered", "\(accepted.status) \(accepted.text.prefix(300))")
            #expect(try await app.store.account(.username("zoe_angstrom"))?.twitter != nil)
        }
    }

    /// A draft that matches no account, opened at `/register/existing` by its URL, goes to the form: that page said an
    /// account already used its address.
    @Test func aDraftThatMatchesNoAccountIsNotOfferedAnAccountToSignInTo() async throws {
        try await WebApp.run { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.zoe)
            let details = try #require(arrival.location)
            #expect(details.hasPrefix("/register/details?draft="))
            let existing = try await browser.get(
                details.replacingOccurrences(of: "/register/details", with: "/register/existing"))
            #expect(
                existing.status == 303 && existing.location == details, "\(existing.status) \(existing.location ?? "")")
        }
    }

    /// Over `signUpsPerClient`, `POST /register/complete` answers 429 with a page saying when to try again "from the
    /// form": that link must lead back to the registration form (`/register/details?draft=…`), not to a route that
    /// does not exist.
    @Test func theTooManyRequestsPageOfTheRegistrationFormLinksBackToTheForm() async throws {
        var routes = AccountRoutes.Configuration()
        routes.signUpsPerClient = RegistrationService.Rate(1, per: 3600)
        try await WebApp.run(configuration: routes) { app in
            var browser = app.browser()
            let arrival = try await browser.viaTwitter("/register/twitter", as: WebApp.zoe)
            let form = try await browser.get(try #require(arrival.location))
            let draft = try #require(form.hiddenValue("draft"))
            let fields = [
                ("csrf_token", try #require(form.csrfToken)), ("draft", draft), ("username", ""),
                ("email", "zoe@example.com"),
            ]
            let first = try await browser.post("/register/complete", fields)
            #expect(first.status == 422)
            let refused = try await browser.post("/register/complete", fields)
            #expect(refused.status == 429 && refused.text.contains("id=\"address-checks-refused\""))

            let link = try #require(refused.text.range(of: "\">the form</a>"))
            let before = refused.text[..<link.lowerBound]
            let start = try #require(before.range(of: "href=\"", options: .backwards))
            let back = String(before[start.upperBound...])
            let page = try await browser.get(back)
            #expect(
                page.status == 200 && page.text.contains("id=\"registration-form\""),
                "\"the form\" leads to \(back), which answers \(page.status)")
        }
    }
}
