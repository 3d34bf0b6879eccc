import AccountMatching
import AccountModel
import AccountTransfer
package import Foundation
import Registration

/// The HTML of every page. Every value from a person, Twitter or the store is escaped; no page carries a secret other
/// than the session's own CSRF token in its forms.
package enum Pages: Sendable {
    /// The common frame: site name, the signed-in username with a "Sign out" button (or the log-in links), a message.
    /// The page: `body` in the common layout, its links and forms under `mountPath`.
    static func layout(
        site: String, mountPath: String = "", title: String, account: Account?, csrf: String?, notice: String?,
        body: String
    ) -> String {
        mounted(
            layout(site: site, title: title, account: account, csrf: csrf, notice: notice, body: body), under: mountPath
        )
    }

    /// `html` with the root paths the templates write (`href="/…"`, `action="/…"`) put under `mountPath`. Only the
    /// templates can write these: text from anywhere else goes through ``HTML/escape(_:)``, which writes `"` as
    /// `&quot;`.
    static func mounted(_ html: String, under mountPath: String) -> String {
        guard !mountPath.isEmpty else { return html }
        return html.replacing("href=\"/", with: "href=\"\(mountPath)/").replacing(
            "action=\"/", with: "action=\"\(mountPath)/")
    }

    private static func layout(
        site: String, title: String, account: Account?, csrf: String?, notice: String?, body: String
    ) -> String {
        let navigation: String
        if let account, let csrf {
            navigation = """
                <span id="signed-in-as">Signed in as <strong id="username">\(HTML.escape(account.username))</strong></span>
                <a href="/account">Your account</a>
                \(HTML.button("Sign out", action: "/sign-out", csrf: csrf, id: "sign-out"))
                """
        } else {
            navigation = """
                <a href="/signup">Sign up with email</a> <a href="/login">Log in</a>
                """
        }
        let message = notice.map { "<p class=\"notice\" role=\"status\" id=\"notice\">\(HTML.escape($0))</p>\n" } ?? ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) – \(HTML.escape(site))</title>
            <style>
            body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 44rem; padding: 0 1rem; }
            header { display: flex; gap: 1rem; align-items: center; justify-content: space-between;
                     border-bottom: 1px solid #ccc; padding: .5rem 0; }
            header nav { display: flex; gap: .75rem; align-items: center; }
            form.inline { display: inline; margin: 0; }
            .notice { background: #eef6ff; border: 1px solid #9cc3f0; padding: .5rem .75rem; }
            .error, .missing { color: #a40000; }
            .from-twitter { color: #1d6fa5; font-size: .9em; }
            label { display: block; margin-top: .75rem; font-weight: 600; }
            input[type=text], input[type=email], input[type=password] { width: 100%; max-width: 24rem; padding: .3rem; }
            input[aria-invalid=true] { border: 2px solid #a40000; }
            button { margin: .75rem .5rem 0 0; padding: .35rem .9rem; }
            header button { margin: 0; }
            table { border-collapse: collapse; } td, th { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left; }
            </style>
            </head>
            <body>
            <header><a href="/" id="home">\(HTML.escape(site))</a><nav>\(navigation)</nav></header>
            <main>
            \(message)\(body)
            </main>
            </body>
            </html>

            """
    }

    /// The sentence for a message code carried in `?notice=` (unknown codes show nothing: no text is reflected).
    static func notice(_ code: String?) -> String? {
        guard let code else { return nil }
        if let reason = RestartReason(rawValue: code) { return reason.message }
        switch code {
        case "signed_out": return "You signed out."
        case "signed_out_everywhere": return "You signed out everywhere: every session of your account has ended."
        case "session_ended": return "That browser is signed out."
        case "session_not_found":
            return "That session had already ended (or is this browser's: use Sign out for it). Nothing changed."
        case "registered": return "Welcome! Your account is ready."
        case "signed_in": return "You are signed in."
        case "linked": return "Your Twitter account is now linked to this account."
        case "unlinked": return "Your Twitter account is no longer linked to this account."
        case "registration_closed":
            return "That registration is no longer open (finished, expired, or started in another browser). "
                + "Please start again."
        case "link_not_carried":
            return "You are signed in to this account, and nothing was linked: it does not use the email address of "
                + "that Twitter account."
        case "twitter_taken": return "That Twitter account is already linked to another account."
        case "already_linked": return "This account already has a linked Twitter account; unlink it first."
        case "last_sign_in_method": return "Twitter is this account's only way to sign in, so it cannot be unlinked."
        case "password_changed":
            return "Your password was changed. Every other session of your account has ended."
        case "password_added":
            return "Your account has a password now: you can also log in with your username or email and it. "
                + "Every other session of your account has ended."
        case "password_removed":
            return "Your password was removed: you log in with Twitter. Every other session of your account has ended."
        case "last_password_method":
            return "The password is this account's only way to sign in (no Twitter account is linked), so it cannot "
                + "be removed."
        case "sign_in_first": return "Please log in first."
        case "sessions_ended":
            // (both for a sign-in refused as the account's sessions ended, and for a change refused as this browser was
            // signed out meanwhile, from another browser too: the text names no single cause. Nor does it say nothing
            // was changed: the first of two clicks, or another tab, may have made the change that signed it out.)
            return "This browser was signed out (the account's password was reset or changed, it signed out "
                + "everywhere, or another browser signed this one out) before your sign-in or change was carried out, "
                + "so that request was not. If you sent it twice, the first may have been made: log in again to check."
        case "password_reset":
            return "Your password was changed, and you are signed in with it; every other session of your account "
                + "has ended."
        case "password_reset_unlinked":
            return "Your password was changed, and you are signed in with it; every other session of your account "
                + "has ended. The Twitter account linked before your address was confirmed was unlinked: link it "
                + "again below if it is yours."
        // (a reset or an undo whose own sign-in found the account's sessions ended again meanwhile: the change stands)
        case "password_reset_signed_out", "password_reset_unlinked_signed_out":
            return "Your password was changed, and every session of your account has ended. Log in with the new one."
                + (code == "password_reset_unlinked_signed_out"
                    ? " The Twitter account linked before your address was confirmed was unlinked: link it again "
                        + "from your account page if it is yours." : "")
        case "email_change_undone_signed_out", "email_change_undone_unlinked_signed_out":
            return "The change of address is undone: your account has its address back, with the password you just "
                + "chose, and every session of it has ended. Log in with the new password."
                + (code == "email_change_undone_unlinked_signed_out"
                    ? " The Twitter account linked since the change was unlinked: link it again from your account "
                        + "page if it is yours." : "")
        case "email_confirmed": return "Thank you: your email address is confirmed."
        case "email_changed": return "Your email address is changed, and confirmed."
        case "email_change_undone":
            return "The change of address is undone: your account has its address back, with the password you just "
                + "chose, and you are signed in; every other session of it has ended."
        case "email_change_undone_unlinked":
            return "The change of address is undone: your account has its address back, with the password you just "
                + "chose, and you are signed in; every other session of it has ended. The Twitter account linked "
                + "since the change was unlinked: link it again below if it is yours."
        case "email_change_sent":
            return "A link is on its way to the new address. Your address changes when you follow it (it works for "
                + "3 days); until then the account keeps its address."
        case "email_change_limited":
            // (no figure: the limit is the app's `maximumEmailVerifications` in its `emailVerificationWindow`)
            return "No link was sent: this account has been mailed as many links as it may be for now. Try again "
                + "later; until then the account keeps its address."
        case "account_deleted": return "Your account was deleted, and every session of it has ended."
        case "confirmation_sent":
            return "A confirmation link is on its way to your email address (only a few are sent in a while: wait "
                + "for this one)."
        default: return nil
        }
    }

    // MARK: - Home

    /// The home page; `offersTwitter`: "Register with Twitter" and "Log in with Twitter" (not for routes without
    /// Twitter).
    static func home(account: Account?, csrf: String, offersTwitter: Bool = true) -> String {
        let greeting =
            account.map {
                "<p>You are signed in as <strong>\(HTML.escape($0.username))</strong>. <a href=\"/account\">Your account</a></p>"
            }
            ?? (offersTwitter
                ? "<p>Register or log in with Twitter, or with an email address and a password.</p>"
                : "<p>Sign up or log in with an email address and a password.</p>")
        let twitter =
            offersTwitter
            ? """
            <section>
            <h2>With Twitter</h2>
            \(HTML.button("Register with Twitter", action: "/register/twitter", csrf: csrf, id: "register-twitter"))
            \(HTML.button("Log in with Twitter", action: "/login/twitter", csrf: csrf, id: "login-twitter"))
            </section>

            """ : ""
        return """
            <h1>Welcome</h1>
            \(greeting)
            \(twitter)<section>
            <h2>With email and password</h2>
            <p><a href="/signup" id="signup-link">Sign up with email</a> · <a href="/login" id="login-link">Log in</a></p>
            </section>
            """
    }

    // MARK: - Registration form

    /// The fields of the registration form in order, with their labels.
    static let registrationFields: [(Field, String, String, String)] = [
        (.username, "Username", "text", "username"), (.email, "Email", "email", "email"),
        (.firstName, "First name", "text", "given-name"), (.lastName, "Last name", "text", "family-name"),
    ]

    /// The registration form: values pre-filled from the draft (or as typed), fields Twitter supplied marked as such
    /// but editable, missing required ones marked, and every field error at once.
    /// The registration form; `terms` is whether the terms box is ticked, `nil` when the service asks for none.
    static func registration(
        draft: DraftView, values: [Field: String], errors: [FieldError], required: Set<Field>, terms: Bool?,
        csrf: String
    ) -> String {
        var rows: [String] = []
        let firstInvalid = registrationFields.first { field in errors.contains { $0.field == field.0 } }?.0
        for (field, label, type, autocomplete) in registrationFields {
            let name = field.rawValue
            let value = values[field] ?? ""
            let fieldErrors = errors.filter { $0.field == field }
            // (every note the input's own: a screen reader reads "from Twitter" and "missing" with the field, not only
            // an error)
            var notes: [String] = []
            var described: [String] = []
            var draftProblem = false
            if let fromTwitter = draft.fields[field], !fromTwitter.isEmpty {
                notes.append(
                    "<span class=\"from-twitter\" id=\"\(name)-from-twitter\">from Twitter; you can change it</span>")
                described.append("\(name)-from-twitter")
            }
            if !fieldErrors.isEmpty {
                notes.append(errorNote(name, fieldErrors))
                described.append("\(name)-error")
            } else if value.isEmpty && required.contains(field) {
                notes.append("<span class=\"missing\" id=\"\(name)-missing\">missing: required</span>")
                described.append("\(name)-missing")
            } else if let problem = draft.missing.first(where: { $0.field == field }), value == draft.fields[field] {
                notes.append("<span class=\"missing\" id=\"\(name)-missing\">\(HTML.escape(problem.problem))</span>")
                described.append("\(name)-missing")
                draftProblem = true
            }
            let invalid =
                (fieldErrors.isEmpty && !draftProblem ? "" : " aria-invalid=\"true\"")
                + (described.isEmpty ? "" : " aria-describedby=\"\(described.joined(separator: " "))\"")
                + (field == firstInvalid ? " autofocus" : "")
            let requiredAttribute = required.contains(field) ? " (required)" : " (optional)"
            rows.append(
                """
                <label for="\(name)">\(label)\(requiredAttribute)</label>
                <input type="\(type)" id="\(name)" name="\(name)" value="\(HTML.escape(value))" \
                autocomplete="\(autocomplete)"\(invalid)> \(notes.joined(separator: " "))
                """)
        }
        if let accepted = terms {
            let termsErrors = errors.filter { $0.field == .terms }
            let note = termsErrors.isEmpty ? "" : " " + errorNote("terms", termsErrors)
            let attributes =
                (accepted ? " checked" : "")
                + invalidAttributes("terms", termsErrors, focus: firstInvalid == nil && !termsErrors.isEmpty)
            rows.append(
                """
                <label for="terms"><input type="checkbox" id="terms" name="terms" value="yes"\(attributes)> \
                I accept the terms of service (required)</label>\(note)
                """)
        }
        let summary =
            errors.isEmpty
            ? ""
            : "<p class=\"error\" role=\"alert\" id=\"form-errors\">Please fix \(errors.count == 1 ? "this problem" : "these \(errors.count) problems"): "
                + summary(errors, order: registrationFields.map { ($0.0, $0.1) } + [(.terms, "Terms of service")])
                + "</p>\n"
        return """
            <h1>Finish registering</h1>
            <p>Twitter says you are <strong>\(HTML.isolated(draft.twitterName))</strong> \
            (@\(HTML.isolated(draft.screenName))). Check the details below; change anything you like.</p>
            \(summary)<form method="post" action="/register/complete" id="registration-form" novalidate>
            \(HTML.hidden("csrf_token", csrf))\(HTML.hidden("draft", draft.id))
            \(rows.joined(separator: "\n"))
            <p><button type="submit" id="complete">Create account</button></p>
            </form>
            <p><a href="/">Cancel</a></p>
            """
    }

    // MARK: - Existing account

    /// The account a Twitter sign-in was matched with, as "This email already has an account" describes it.
    struct ExistingMatch: Sendable {
        /// The account is linked to another Twitter account, and takes this one only once that one is unlinked.
        var hasTwitter: Bool
        /// The account's address is the Twitter account's (letter case aside), not only another address of its
        /// mailbox (`a.da@gmail.com`, `ada+news@gmail.com` for `ada@gmail.com`): then the page may offer that address
        /// as the login and a reset for it.
        var sameAddress: Bool
        /// No account holds the Twitter account's address itself: the person may register with it, and the page says
        /// so when the match is by another address of the mailbox.
        var addressFree: Bool
        /// The account has a password, or would be mailed a reset link (its address is not confirmed, and the routes
        /// mail reset links): false for an account made through Twitter whose address is confirmed, which only its
        /// Twitter account signs in to (a person who lost that Twitter account and arrives with a new one of the same
        /// address).
        var opensWithPassword = true
    }

    static func existing(
        draft: DraftView, login: String, error: String?, match: ExistingMatch, csrf: String, offersReset: Bool = false
    ) -> String {
        let problem =
            error.map { errorParagraph("login-error", $0) } ?? ""
        let screenName = HTML.isolated(draft.screenName)
        let uses =
            match.sameAddress
            ? "uses the email address of the Twitter account <strong>@\(screenName)</strong>"
            : "uses an address that reaches the same mailbox as the email address of the Twitter account "
                + "<strong>@\(screenName)</strong> (written with other dots, or a +tag)"
        let intro =
            match.hasTwitter
            ? """
            <p id="match-has-twitter">The account that \(uses) is linked to another Twitter account, and an account \
            links only one. To use @\(screenName) with it instead, sign in to it, unlink Twitter on your account page, \
            then link @\(screenName) from there.</p>
            """
            : """
            <p>An account already \(uses). Sign in to that account with its password to link Twitter to it.</p>
            """
        // (another address of the mailbox: the Twitter account's address signs in to nothing, and a reset asked for
        // it reaches no account; the account's own address or username does)
        let free =
            match.addressFree ? " The Twitter account's address is not taken: you may register with it instead." : ""
        let otherAddress =
            match.sameAddress
            ? ""
            : """

            <p id="match-other-address">Sign in with that account's username, or the address it uses; a password \
            reset must be asked for with that address too.\(free)</p>
            """
        let registerInstead =
            match.sameAddress || !match.addressFree
            ? "(with another email address)" : "(with this email address or another)"
        guard match.opensWithPassword else {
            // (no password, and no reset link would be mailed: a sign-in form, "Forgot your password?" and "unlink
            // Twitter on your account page" would each lead nowhere)
            let only =
                match.hasTwitter
                ? """
                <p id="match-twitter-only">An account already \(uses). It has no password: only the Twitter account \
                linked to it signs in to it. Log in with that Twitter account to use it; if you no longer have that \
                Twitter account, ask the site's operator.</p>
                \(HTML.button("Log in with Twitter", action: "/login/twitter", csrf: csrf, fields: [("force_login", "1")], id: "existing-login-twitter"))
                """
                : """
                <p id="match-no-way-in">An account already \(uses). It has no password and no Twitter account linked, \
                so no one can sign in to it: ask the site's operator.</p>
                """
            return """
                <h1>\(match.sameAddress ? "This email" : "This mailbox") already has an account</h1>
                \(only)\(problem.isEmpty ? "" : "\n" + problem)
                <p>Not your account? <a href="/register/details?draft=\(HTML.escape(draft.id))">Register a new account \
                instead</a> \(registerInstead).</p>
                """
        }
        return """
            <h1>\(match.sameAddress ? "This email" : "This mailbox") already has an account</h1>
            \(intro)\(otherAddress)
            \(problem)<form method="post" action="/register/existing" id="existing-form">
            \(HTML.hidden("csrf_token", csrf))\(HTML.hidden("draft", draft.id))
            <label for="login">Username or email</label>
            <input type="text" id="login" name="login" value="\(HTML.escape(login))" autocomplete="username">
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password">
            <p><button type="submit" id="sign-in-to-link">Sign in</button></p>
            </form>\(offersReset ? "\n<p><a href=\"/password/forgot\" id=\"forgot-password\">Forgot your password?</a></p>" : "")
            \(match.hasTwitter ? "<p>Or log in with the Twitter account it is linked to:</p>\n" + HTML.button("Log in with Twitter", action: "/login/twitter", csrf: csrf, fields: [("force_login", "1")], id: "existing-login-twitter") + "\n" : "")<p>Not your account? <a href="/register/details?draft=\(HTML.escape(draft.id))">Register a new account \
            instead</a> \(registerInstead).</p>
            """
    }

    /// The confirmation of a link; `asksPassword` (the session is no longer a recent sign-in), with a field for the
    /// current password, and `error` above it when one did not check out.
    static func confirmLink(
        draft: DraftView, account: Account, csrf: String, asksPassword: Bool = false, error: String? = nil
    ) -> String {
        let question = """
            <h1>Link your Twitter account?</h1>
            <p>Link the Twitter account <strong>\(HTML.isolated(draft.twitterName))</strong> \
            (@\(HTML.isolated(draft.screenName))) to your account <strong>\(HTML.isolated(account.username))</strong>? You can \
            then log in with Twitter.</p>
            """
        guard asksPassword else {
            return """
                \(question)
                \(HTML.button("Link Twitter account", action: "/register/link", csrf: csrf, fields: [("draft", draft.id)], id: "confirm-link"))
                <p><a href="/account">Cancel</a></p>
                """
        }
        return """
            \(question)
            \(error.map { errorParagraph("link-error", $0) } ?? "")<form method="post" action="/register/link" id="confirm-link-form">
            \(HTML.hidden("csrf_token", csrf))\(HTML.hidden("draft", draft.id))\(HTML.loginForPasswordManagers(account.username))
            \(linkPasswordField(
                id: "confirm_link_current_password",
                invalid: error == nil
                    ? "" : " aria-invalid=\"true\" aria-describedby=\"link-error\" autofocus"))
            <p><button type="submit" id="confirm-link">Link Twitter account</button></p>
            </form>
            <p><a href="/account">Cancel</a></p>
            """
    }

    // MARK: - Email sign-up and password log-in

    static let signUpFields: [(Field, String, String, String)] = [
        (.username, "Username", "text", "username"), (.email, "Email", "email", "email"),
        (.password, "Password", "password", "new-password"),
        (.firstName, "First name (optional)", "text", "given-name"),
        (.lastName, "Last name (optional)", "text", "family-name"),
    ]

    /// The sign-up form; its password's label gives the policy's `minimumPasswordLength`.
    static func signUp(
        values: [Field: String], errors: [FieldError], csrf: String,
        minimumPasswordLength: Int = PasswordPolicy().minimumLength
    ) -> String {
        var rows: [String] = []
        let firstInvalid = signUpFields.first { field in errors.contains { $0.field == field.0 } }?.0
        for (field, label, type, autocomplete) in signUpFields {
            let name = field.rawValue
            // A password is never sent back in a page.
            let value = field == .password ? "" : values[field] ?? ""
            let fieldErrors = errors.filter { $0.field == field }
            let note = fieldErrors.isEmpty ? "" : errorNote(name, fieldErrors)
            let invalid = invalidAttributes(name, fieldErrors, focus: field == firstInvalid)
            let shown = field == .password ? "\(label) (at least \(minimumPasswordLength) characters)" : label
            rows.append(
                """
                <label for="\(name)">\(shown)</label>
                <input type="\(type)" id="\(name)" name="\(name)" value="\(HTML.escape(value))" \
                autocomplete="\(autocomplete)"\(invalid)> \(note)
                """)
        }
        let summary =
            errors.isEmpty
            ? ""
            : "<p class=\"error\" role=\"alert\" id=\"form-errors\">Please fix: "
                + summary(errors, order: signUpFields.map { ($0.0, shortLabels[$0.0] ?? $0.1) }) + "</p>\n"
        return """
            <h1>Sign up with email</h1>
            \(summary)<form method="post" action="/signup" id="signup-form" novalidate>
            \(HTML.hidden("csrf_token", csrf))
            \(rows.joined(separator: "\n"))
            <p><button type="submit" id="sign-up">Sign up</button></p>
            </form>
            """
    }

    static func logIn(
        login: String, error: String?, csrf: String, offersReset: Bool = false, offersTwitter: Bool = true
    ) -> String {
        let problem =
            error.map { errorParagraph("login-error", $0) } ?? ""
        let forgot =
            offersReset ? "\n<p><a href=\"/password/forgot\" id=\"forgot-password\">Forgot your password?</a></p>" : ""
        let twitter = offersTwitter ? ", or register with Twitter on the <a href=\"/\">home page</a>" : ""
        return """
            <h1>Log in</h1>
            \(problem)<form method="post" action="/login" id="login-form">
            \(HTML.hidden("csrf_token", csrf))
            <label for="login">Username or email</label>
            <input type="text" id="login" name="login" value="\(HTML.escape(login))" autocomplete="username">
            <label for="password">Password</label>
            <input type="password" id="password" name="password" autocomplete="current-password">
            <p><button type="submit" id="log-in">Log in</button></p>
            </form>\(forgot)
            <p>No account yet? <a href="/signup">Sign up with email</a>\(twitter).</p>
            """
    }

    // MARK: - Password reset

    static func forgotPassword(email: String, error: String?, csrf: String) -> String {
        let problem =
            error.map { errorParagraph("forgot-error", $0) } ?? ""
        return """
            <h1>Forgot your password?</h1>
            <p>Enter the email address of your account, and we will send it a link to choose a new password.</p>
            \(problem)<form method="post" action="/password/forgot" id="forgot-form" novalidate>
            \(HTML.hidden("csrf_token", csrf))
            <label for="email">Email</label>
            <input type="email" id="email" name="email" value="\(HTML.escape(email))" autocomplete="email">
            <p><button type="submit" id="send-link">Send the link</button></p>
            </form>
            """
    }

    static func resetSent(lifetime: TimeInterval) -> String {
        let minutes = Int((lifetime / 60).rounded())
        let span = minutes % 60 == 0 ? "\(minutes / 60) hour\(minutes == 60 ? "" : "s")" : "\(minutes) minutes"
        return """
            <h1>Check your email</h1>
            <p id="reset-sent">If an account uses that address, we sent it a link to choose a new password. The link \
            works once, for \(span). Nothing arrived? Look in the spam folder, or <a href="/password/forgot">ask \
            again</a>.</p>
            """
    }

    static func tooManyResetRequests(retryAfter: Date, scope: RegistrationService.ThrottleScope) -> String {
        let who = asker(scope)
        return """
            <h1>Too many requests</h1>
            <p id="reset-refused">Too many password reset links were asked for \(who). Please try again after \
            \(timestamp(retryAfter)) UTC from the <a href="/password/forgot">form</a>.</p>
            """
    }

    /// The form to choose a new password; `unlinking`, the screen name of the Twitter account the reset will unlink.
    static func resetPassword(
        username: String, unlinking: String?, token: String, errors: [FieldError], csrf: String,
        minimumPasswordLength: Int = PasswordPolicy().minimumLength
    ) -> String {
        let notes = errors.isEmpty ? [] : [errorNote("password", errors)]
        let invalid = invalidAttributes("password", errors, focus: true)
        let unlinks =
            unlinking.map {
                """
                <p id="reset-unlinks-twitter">This link is the first proof that the account's email address is yours, \
                so the Twitter account <strong>@\(HTML.isolated($0))</strong>, linked before it, will be unlinked: link \
                it again from your account page if it is yours.</p>
                """
            } ?? ""
        return """
            <h1>Choose a new password</h1>
            <p>For the account <strong>\(HTML.escape(username))</strong>. Every session of the account ends when it \
            is changed.</p>\(unlinks)
            <form method="post" action="/password/reset" id="reset-form">
            \(HTML.hidden("csrf_token", csrf))\(HTML.hidden("token", token))
            \(HTML.loginForPasswordManagers(username))
            <label for="password">New password (at least \(minimumPasswordLength) characters)</label>
            <input type="password" id="password" name="password" autocomplete="new-password"\(invalid)> \
            \(notes.joined(separator: " "))
            <p><button type="submit" id="set-password">Set the password</button></p>
            </form>
            """
    }

    static func resetLinkNotValid() -> String {
        """
        <h1>This link does not work</h1>
        <p id="reset-link-not-valid">It was used already, a newer one was sent, or it has expired. \
        <a href="/password/forgot">Ask for a new link</a>.</p>
        """
    }

    // MARK: - Email confirmation

    /// The page of a confirmation link; for a first confirmation with `offersReset`, what to do when the account is not
    /// the reader's.
    static func confirmEmail(
        username: String, email: String, changesAddress: Bool, offersReset: Bool, token: String, csrf: String
    ) -> String {
        let what =
            changesAddress
            ? "is to be the new address of"
            : "is the address of"
        return """
            <h1>Confirm your email address</h1>
            <p>Confirm that <strong id="confirm-email-address">\(HTML.escape(Mailbox.shownWithASCIIDomain(email)))</strong> \
            \(what) the \
            account <strong>\(HTML.escape(username))</strong>.</p>
            <form method="post" action="/email/confirm" id="confirm-email-form">
            \(HTML.hidden("csrf_token", csrf))\(HTML.hidden("token", token))
            <p><button type="submit" id="confirm-email">Confirm</button></p>
            </form>\(changesAddress ? notYoursChange : offersReset ? notYours : "")
            """
    }

    /// For a change of address its reader did not ask for: whoever asked would hold an account that carries a
    /// confirmed address not theirs (and the Twitter account they linked to it would outlast a reset).
    private static let notYoursChange = """
        <p id="confirm-not-yours">Not your account? If you did not ask to move an account to this address, do not \
        confirm: nothing changes unless someone does, and the link stops working in a few days.</p>
        """

    /// For a confirmation its reader did not ask for: whoever signed up with their address keeps whatever way in they
    /// added (a Twitter account) through a confirmation, while a reset that is the address's first proof ends it.
    private static let notYours = """
        <p id="confirm-not-yours">Not your account? Someone may have signed up with your address. Do not confirm: \
        <a href="/password/forgot">ask for a password reset link</a> for this address instead, which makes the \
        account yours and unlinks any Twitter account linked to it.</p>
        """

    /// A change of address whose notice to the old address cannot be sent now: nothing changed, the link still works.
    static func mailsBusy() -> String {
        """
        <h1>Try again in a minute</h1>
        <p id="mails-busy">Too many mails are being sent just now, so nothing changed: your old address could not be \
        told of the change. The link still works: go back and press Confirm again in a minute.</p>
        """
    }

    static func changedAddressTaken() -> String {
        """
        <h1>That address is taken</h1>
        <p id="changed-address-taken">Another account has used that address since the link was sent, so your \
        account keeps its address. Log in and choose another one on your account page.</p>
        """
    }

    /// The page of a link that undoes a change of address: what it restores, and the new password to choose;
    /// `twitter`, the Twitter account linked to the account: said to be unlinked when `unlinksTwitter` (linked since
    /// the change), else offered to unlink (whoever made the change could have linked theirs just before).
    static func undoEmailChange(
        username: String, restores: String, replacedBy: String, current: String?, twitter: TwitterIdentity?,
        unlinksTwitter: Bool, unlinkTicked: Bool = false, token: String, errors: [FieldError], csrf: String,
        minimumPasswordLength: Int = PasswordPolicy().minimumLength
    ) -> String {
        // (moved again since: the page says where the account is now)
        let since =
            current.map {
                $0 == replacedBy
                    ? ""
                    : ", and since to <strong id=\"undo-current\">\(HTML.escape(Mailbox.shownWithASCIIDomain($0)))</strong>"
            }
            ?? ""
        let notes = errors.isEmpty ? [] : [errorNote("password", errors)]
        let invalid = invalidAttributes("password", errors, focus: true)
        let twitterPart: String
        if let twitter, unlinksTwitter {
            twitterPart = """
                <p id="undo-unlinks-twitter">The Twitter account <strong>@\(HTML.isolated(twitter.screenName))</strong>, \
                linked since the change, will be unlinked: link it again from your account page if it is yours.</p>
                """
        } else if let twitter {
            twitterPart = """
                <p><label><input type="checkbox" name="unlink_twitter" \
                value="\(HTML.escape(twitter.userID.decimalString))" id="undo-unlink-twitter"\(unlinkTicked ? " checked" : "")> \
                Also unlink the Twitter account <strong>@\(HTML.isolated(twitter.screenName))</strong>, linked \
                \(timestamp(twitter.linkedAt)) UTC: tick it if it is not yours (it signs in to the account).</label></p>
                """
        } else {
            twitterPart = ""
        }
        return """
            <h1>Undo the change of address</h1>
            <p>The address of the account <strong>\(HTML.escape(username))</strong> was changed from \
            <strong id="undo-restores">\(HTML.escape(restores))</strong> to \
            <strong id="undo-replaced-by">\(HTML.escape(Mailbox.shownWithASCIIDomain(replacedBy)))</strong>\(since). \
            Undoing it makes \
            \(HTML.escape(restores)) its address again and signs out every browser signed in to it. Whoever changed \
            it knew the password, so choose a new one.</p>
            <form method="post" action="/email/undo" id="undo-form">
            \(HTML.hidden("csrf_token", csrf))\(HTML.hidden("token", token))
            \(HTML.loginForPasswordManagers(username))
            <label for="password">New password (at least \(minimumPasswordLength) characters)</label>
            <input type="password" id="password" name="password" autocomplete="new-password"\(invalid)> \
            \(notes.joined(separator: " "))\(twitterPart)
            <p><button type="submit" id="undo-change">Undo the change</button></p>
            </form>
            """
    }

    static func undoLinkNotValid() -> String {
        """
        <h1>This link does not work</h1>
        <p id="undo-link-not-valid">It was used already, the change was undone another way, the account is no longer \
        open, or it has expired (it works for 7 days). Write to the site's operator if your account was taken.</p>
        """
    }

    static func undoAddressTaken() -> String {
        """
        <h1>That address is taken</h1>
        <p id="undo-address-taken">Another account has used your old address since the change, so nothing changed. \
        Write to the site's operator.</p>
        """
    }

    static func confirmationLinkNotValid() -> String {
        """
        <h1>This link does not work</h1>
        <p id="confirmation-link-not-valid">It was used already, a newer one was sent, it has expired, or the account \
        has another address now. Log in and ask for a new one on your account page.</p>
        """
    }

    // MARK: - Account

    /// What the account page offers for the password.
    enum PasswordOffer: Equatable {
        /// Change it (with the current one), and remove it when Twitter is another way in.
        case change(canRemove: Bool)
        /// Set one: the account has none, and its session is a recent sign-in.
        case add
        /// The account has none, and its session is older than `minutes`: sign in with Twitter again first.
        case signInAgain(minutes: Int)
    }

    /// The account page's password forms; without `offersTwitter`, no note of logging in with Twitter and no
    /// "Log in with Twitter" button.
    static func passwordSection(
        _ offer: PasswordOffer, username: String, csrf: String, error: String?, errorField: String? = nil,
        minimumPasswordLength: Int, offersTwitter: Bool = true
    ) -> String {
        let problem =
            error.map { errorParagraph("password-error", $0, focused: errorField == nil) } ?? ""
        let login = HTML.loginForPasswordManagers(username)
        let fault = { (id: String) in faultAttributes(id, errorField, message: "password-error") }
        switch offer {
        case .change(let canRemove):
            let remove =
                canRemove
                ? """

                <form method="post" action="/account/password/remove" id="remove-password-form">
                \(HTML.hidden("csrf_token", csrf))\(login)
                <label for="remove_current_password">Current password</label>
                <input type="password" id="remove_current_password" name="current_password" \
                autocomplete="current-password"\(fault("remove_current_password"))>
                <p><button type="submit" id="remove-password">Remove password</button> (you will log in with \
                Twitter only; every other session of your account ends)</p>
                </form>
                """ : ""
            return """
                <h2>Password</h2>
                \(problem)<form method="post" action="/account/password" id="change-password-form">
                \(HTML.hidden("csrf_token", csrf))\(login)
                <label for="current_password">Current password</label>
                <input type="password" id="current_password" name="current_password" autocomplete="current-password"\
                \(fault("current_password"))>
                <label for="new_password">New password (at least \(minimumPasswordLength) characters)</label>
                <input type="password" id="new_password" name="new_password" autocomplete="new-password"\
                \(fault("new_password"))>
                <p><button type="submit" id="change-password">Change password</button> (every other session of \
                your account ends)</p>
                </form>\(remove)
                """
        case .add:
            let note =
                offersTwitter
                ? "You log in with Twitter. Set a password to log in with your username or email too."
                : "This account has no password. Set one to log in with your username or email."
            return """
                <h2>Password</h2>
                \(problem)<p>\(note)</p>
                <form method="post" action="/account/password/add" id="add-password-form">
                \(HTML.hidden("csrf_token", csrf))\(login)
                <label for="new_password">New password (at least \(minimumPasswordLength) characters)</label>
                <input type="password" id="new_password" name="new_password" autocomplete="new-password"\
                \(fault("new_password"))>
                <p><button type="submit" id="add-password">Set password</button></p>
                </form>
                """
        case .signInAgain(let minutes) where !offersTwitter:
            return """
                <h2>Password</h2>
                \(problem)<p id="password-sign-in-again">This account has no password. A password can be set only \
                within \(minutes) minutes of signing in.</p>
                """
        case .signInAgain(let minutes):
            return """
                <h2>Password</h2>
                \(problem)<p id="password-sign-in-again">You log in with Twitter. To set a password as well, log in \
                with Twitter again: a password can be set within \(minutes) minutes of signing in.</p>
                \(HTML.button("Log in with Twitter", action: "/login/twitter", csrf: csrf, id: "password-login-twitter"))
                """
        }
    }

    /// The account page. `linkNeedsPassword`: the session is not a recent sign-in, so "Link Twitter account" (and
    /// "Unlink Twitter", when the account has a password) asks for the current password; `twitterError` is shown over
    /// it. `offersConfirmation`: email links can be mailed, so the
    /// page offers a confirmation link and a change of address (`emailError` over it). `deleteError` is shown over
    /// "Delete account". `errorField`, the id of the input the message is about (marked invalid, described by the
    /// message, focused); without one, the message itself takes the focus. Without `offersTwitter` (routes without
    /// Twitter) the page offers no Twitter link or log-in, and has a Twitter section only for an identity linked before,
    /// with "Unlink Twitter".
    static func account(
        _ account: Account, events: [AccountEvent], csrf: String, password: PasswordOffer, passwordError: String? = nil,
        linkNeedsPassword: Bool = false, twitterError: String? = nil, offersConfirmation: Bool = false,
        emailError: String? = nil, typedEmail: String? = nil, deleteError: String? = nil, errorField: String? = nil,
        minimumPasswordLength: Int = PasswordPolicy().minimumLength, sessions: [BrowserSession] = [],
        currentSession: String? = nil, offersTwitter: Bool = true
    ) -> String {
        let login = HTML.loginForPasswordManagers(account.username)
        let mentionsTwitter = offersTwitter || account.twitter != nil
        var email =
            "<span id=\"account-email\">\(HTML.escape(account.email.map(Mailbox.shownWithASCIIDomain) ?? "none"))</span>"
        if account.email != nil {
            email +=
                account.isEmailVerified
                ? " <span id=\"email-confirmed\">(confirmed)</span>"
                : " <span id=\"email-not-confirmed\">(not confirmed)</span>"
            if offersConfirmation && !account.isEmailVerified {
                email +=
                    " "
                    + HTML.button(
                        "Send a confirmation link", action: "/account/email/confirm", csrf: csrf,
                        id: "send-confirmation")
            }
        }
        var emailChange = ""
        if offersConfirmation && !account.hasPassword && linkNeedsPassword && !offersTwitter {
            let problem = emailError.map { errorParagraph("email-error", $0, focused: true) } ?? ""
            emailChange = """
                <h2>Email address</h2>
                \(problem)<p id="email-sign-in-again">This account has no password: its address can be changed only \
                within a few minutes of signing in.</p>
                """
        } else if offersConfirmation && !account.hasPassword && linkNeedsPassword {
            // (without a password only a recent sign-in may change the address: the form would be refused)
            let problem = emailError.map { errorParagraph("email-error", $0, focused: true) } ?? ""
            emailChange = """
                <h2>Email address</h2>
                \(problem)<p id="email-sign-in-again">You log in with Twitter. To change your address, log in with \
                Twitter again: it can be changed within a few minutes of signing in.</p>
                \(HTML.button("Log in with Twitter", action: "/login/twitter", csrf: csrf, id: "email-login-twitter"))
                """
        } else if offersConfirmation {
            let problem = emailError.map { errorParagraph("email-error", $0, focused: errorField == nil) } ?? ""
            let typed = typedEmail.map { " value=\"\(HTML.escape($0))\"" } ?? ""
            // (the field at fault: a wrong password is not the new address's)
            let invalid = faultAttributes("new_email", errorField, message: "email-error")
            let password =
                account.hasPassword
                ? """
                <label for="email_current_password">Current password</label>
                <input type="password" id="email_current_password" name="current_password" \
                autocomplete="current-password"\(faultAttributes("email_current_password", errorField, message: "email-error"))>

                """ : ""
            // (novalidate: a browser's own check refuses addresses with letters beyond ASCII before the `@`, which
            // the server takes; the login first, so that a password manager does not take the new address for it)
            emailChange = """
                <h2>Email address</h2>
                \(problem)<form method="post" action="/account/email" id="change-email-form" novalidate>
                \(HTML.hidden("csrf_token", csrf))\(login)
                <label for="new_email">New address</label>
                <input type="email" id="new_email" name="new_email" autocomplete="email"\(typed)\(invalid)>
                \(password)<p><button type="submit" id="change-email">Change address</button> (a link goes to the new \
                address; yours changes when it is followed)</p>
                </form>
                """
        }
        let twitter: String
        let problem =
            twitterError.map { errorParagraph("twitter-error", $0, focused: errorField == nil) } ?? ""
        if let identity = account.twitter {
            let linked = """
                <p id="twitter-identity">Linked: <strong>\(HTML.isolated(identity.name))</strong> \
                (@<span id="twitter-screen-name" dir="auto">\(HTML.escape(identity.screenName))</span>), Twitter id \
                <code>\(HTML.escape(identity.userID.decimalString))</code>, since \(timestamp(identity.linkedAt)).</p>
                """
            if linkNeedsPassword && account.hasPassword {
                twitter = """
                    \(problem)\(linked)
                    <form method="post" action="/account/twitter/unlink" id="unlink-twitter-form">
                    \(HTML.hidden("csrf_token", csrf))\(login)
                    <label for="unlink_current_password">Current password</label>
                    <input type="password" id="unlink_current_password" name="current_password" \
                    autocomplete="current-password"\(faultAttributes("unlink_current_password", errorField, message: "twitter-error"))>
                    <p><button type="submit" id="unlink-twitter">Unlink Twitter</button> (this signs you out \
                    everywhere else)</p>
                    </form>
                    """
            } else {
                twitter = """
                    \(problem)\(linked)
                    \(HTML.button("Unlink Twitter", action: "/account/twitter/unlink", csrf: csrf, id: "unlink-twitter"))
                    """
            }
        } else if !offersTwitter {
            twitter = ""
        } else if linkNeedsPassword {
            twitter = """
                \(problem)<p id="twitter-identity">No Twitter account is linked.</p>
                <form method="post" action="/account/twitter/link" id="link-twitter-form">
                \(HTML.hidden("csrf_token", csrf))\(login)
                \(linkPasswordField(
                    id: "link_current_password",
                    invalid: faultAttributes("link_current_password", errorField, message: "twitter-error")))
                <p><button type="submit" id="link-twitter">Link Twitter account</button></p>
                </form>
                """
        } else {
            twitter = """
                <p id="twitter-identity">No Twitter account is linked.</p>
                \(HTML.button("Link Twitter account", action: "/account/twitter/link", csrf: csrf, id: "link-twitter"))
                """
        }
        let rows = events.map { event in
            // (each value isolated: a screen name with a direction override reordered the rest of the cell, the
            // Twitter id after it among them, until session 63)
            let details = shownDetails(of: event).sorted { $0.key < $1.key }
                .map { "\(HTML.escape($0.key)): \(HTML.isolated($0.value))" }
                .joined(separator: ", ")
            return
                "<tr><td>\(timestamp(event.occurredAt))</td><td class=\"event-kind\">\(HTML.escape(event.kind.rawValue))</td>"
                + "<td>\(HTML.escape(event.actor))</td><td>\(details)</td></tr>"
        }
        let names = [account.firstName, account.lastName].compactMap { $0 }.joined(separator: " ")
        let passwordState = account.hasPassword ? "set" : offersTwitter ? "none (you log in with Twitter)" : "none"
        let deletionSection = deletion(
            account, csrf: csrf, recentSignIn: !linkNeedsPassword, error: deleteError, errorField: errorField,
            offersTwitter: offersTwitter)
        return """
            <h1>Your account</h1>
            <dl>
            <dt>Username</dt><dd id="account-username">\(HTML.escape(account.username))</dd>
            <dt>Email</dt><dd>\(email)</dd>
            <dt>Name</dt><dd>\(HTML.escape(names.isEmpty ? "not given" : names))</dd>
            <dt>Password</dt><dd>\(passwordState)</dd>
            </dl>
            \(passwordSection(
                password, username: account.username, csrf: csrf, error: passwordError, errorField: errorField,
                minimumPasswordLength: minimumPasswordLength, offersTwitter: offersTwitter))
            \(emailChange)
            \(twitter.isEmpty ? "" : "<h2>Twitter</h2>\n" + twitter)
            <h2>Recent activity</h2>
            <table id="events"><thead><tr><th>When (UTC)</th><th>What</th><th>By</th><th>Details</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody></table>
            <p><a href="/account/data" id="download-data" download>Download your data</a> (JSON: this account, \
            \(mentionsTwitter ? "its Twitter profile " : "")and all its activity)</p>
            <h2>Sessions</h2>
            \(sessionList(sessions, current: currentSession, csrf: csrf))
            <p>Signed in on another computer, or lost one? End every session of this account, here included.</p>
            \(HTML.button("Sign out everywhere", action: "/account/sign-out-everywhere", csrf: csrf, id: "sign-out-everywhere"))
            \(deletionSection)
            """
    }

    /// "Where you're signed in": the account's live sessions, this browser's marked, each other one with a "Sign out"
    /// button.
    static func sessionList(_ sessions: [BrowserSession], current: String?, csrf: String) -> String {
        guard !sessions.isEmpty else { return "" }
        let more =
            sessions.count > sessionsListed
            ? "<p id=\"more-sessions\">Only the \(sessionsListed) most recently used are listed: Sign out everywhere ends "
                + "them all.</p>\n" : ""
        let rows = sessions.prefix(sessionsListed).map { session in
            let isCurrent = session.tokenHash == current
            let action =
                isCurrent
                ? "<td id=\"this-session\">this browser</td>"
                : "<td>"
                    + HTML.button(
                        "Sign out", action: "/account/sessions/end", csrf: csrf,
                        fields: [("session", session.handle)], id: "end-session-\(session.handle)",
                        accessibleName: "Sign out \(session.device ?? "Unknown browser"), signed in "
                            + timestamp(session.createdAt) + " UTC") + "</td>"
            return "<tr><td class=\"session-device\">\(HTML.escape(session.device ?? "Unknown browser"))</td>"
                + "<td>\(timestamp(session.createdAt))</td><td>\(timestamp(session.lastSeenAt))</td>\(action)</tr>"
        }
        return """
            <p>Where you're signed in:</p>
            <table id="sessions"><thead><tr><th>Browser</th><th>Signed in (UTC)</th><th>Last active (UTC)</th>\
            <th></th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody></table>
            \(more)
            """
    }

    /// The most sessions "Where you're signed in" lists.
    static let sessionsListed = 50

    /// The details of an event the person is shown (the account page, "Download your data"). An operator's `reason`
    /// for disabling or enabling the account is for the audit trail (`accounts users show`), not for the person: it
    /// may name a ticket or a suspicion. The details of a kind a newer version wrote are not shown either: this one
    /// cannot tell which are for the person.
    static func shownDetails(of event: AccountEvent) -> [String: String] {
        let operatorNote = event.kind == .disabled || event.kind == .enabled
        return event.details.filter { event.kind.isKnown && !(operatorNote && $0.key == "reason") }
    }

    /// The account page's "Delete account": with the current password, or for an account without one (made through
    /// Twitter) soon after signing in; "Log in with Twitter" again otherwise.
    static func deletion(
        _ account: Account, csrf: String, recentSignIn: Bool, error: String?, errorField: String? = nil,
        offersTwitter: Bool = true
    ) -> String {
        let problem =
            error.map { errorParagraph("delete-error", $0, focused: errorField == nil) } ?? ""
        if !account.hasPassword && !recentSignIn && !offersTwitter {
            return """
                <h2>Delete account</h2>
                \(problem)<p id="delete-sign-in-again">This account has no password: it can be deleted only soon \
                after signing in.</p>
                """
        }
        guard account.hasPassword || recentSignIn else {
            return """
                <h2>Delete account</h2>
                \(problem)<p id="delete-sign-in-again">You log in with Twitter. To delete this account, log in with \
                Twitter again: it can be deleted only soon after signing in.</p>
                \(HTML.button("Log in with Twitter", action: "/login/twitter", csrf: csrf, id: "delete-login-twitter"))
                """
        }
        let password =
            account.hasPassword
            ? """
            <label for="delete_current_password">Current password</label>
            <input type="password" id="delete_current_password" name="current_password" autocomplete="current-password"\
            \(faultAttributes("delete_current_password", errorField, message: "delete-error"))>

            """ : ""
        return """
            <h2>Delete account</h2>
            \(problem)<form method="post" action="/account/delete" id="delete-account-form">
            \(HTML.hidden("csrf_token", csrf))\(account.hasPassword ? HTML.loginForPasswordManagers(account.username) : "")
            <p>Deleting the account removes it, its password, \
            \(offersTwitter || account.twitter != nil ? "its linked Twitter account " : "")and every session of it, \
            for good. Its activity above stays in the site's audit trail, with a note that it was deleted.</p>
            \(password)<label><input type="checkbox" name="confirm" value="yes" id="delete-confirm"\
            \(faultAttributes("delete-confirm", errorField, message: "delete-error"))> \
            Delete my account for good</label>
            <p><button type="submit" id="delete-account">Delete account</button></p>
            </form>
            """
    }

    static func twitterUnavailable() -> String {
        """
        <h1>Twitter did not answer</h1>
        <p>Twitter could not be reached, or answered in a way we did not expect. Please try again in a moment from \
        the <a href="/">home page</a>.</p>
        """
    }

    static func twitterMisconfigured(signedIn: Bool) -> String {
        let otherWay =
            signedIn
            ? "Your account is unchanged; you can go back to <a href=\"/account\">your account</a>."
            : "You can <a href=\"/login\">log in with your email and password</a> meanwhile, if your account has one."
        return """
            <h1 id="twitter-misconfigured">Twitter sign-in is unavailable</h1>
            <p>Signing in with Twitter is not set up correctly on this site, so trying again will not help until it \
            is fixed. The site's operators can see what is wrong in their log. \(otherWay)</p>
            """
    }

    /// Whose requests a limit of `scope` counted, as the refusal says it: "from your address", ….
    static func asker(_ scope: RegistrationService.ThrottleScope) -> String {
        switch scope {
        case .client: "from your address"
        case .network: "from your network"
        case .site: "on this site right now"
        }
    }

    static func tooManySignUps(retryAfter: Date, scope: RegistrationService.ThrottleScope) -> String {
        """
        <h1>Too many sign-ups</h1>
        <p id="sign-up-refused">Too many accounts were signed up for \(asker(scope)). Please try again after \
        \(timestamp(retryAfter)) UTC from the <a href="/signup">form</a>.</p>
        """
    }

    /// Too many sign-ups, Twitter registrations and changes of address (each says whether an address has an account)
    /// from one client or network; `back`, the page to try again from.
    static func tooManyAddressChecks(
        retryAfter: Date, scope: RegistrationService.ThrottleScope, back: String
    ) -> String {
        """
        <h1>Too many requests</h1>
        <p id="address-checks-refused">Too many sign-ups, changes of address and confirmation links were asked for \
        \(asker(scope)). Please try again after \(timestamp(retryAfter)) UTC from \
        <a href="\(HTML.escape(back))">the form</a>.</p>
        """
    }

    static func tooManyTwitterSignIns(retryAfter: Date, scope: RegistrationService.ThrottleScope) -> String {
        let who = asker(scope)
        return """
            <h1>Too many sign-ins</h1>
            <p>Too many sign-ins with Twitter were started \(who). Please try again after \(timestamp(retryAfter)) UTC \
            from the <a href="/">home page</a>.</p>
            """
    }

    /// The current-password field of a form that links a Twitter account (the account page's, the link's
    /// confirmation), its input's id `id`, and why it is asked for.
    static func linkPasswordField(id: String, invalid: String = "") -> String {
        """
        <p>A linked Twitter account is a way into this one: confirm your password to link it.</p>
        <label for="\(id)">Current password</label>
        <input type="password" id="\(id)" name="current_password" autocomplete="current-password"\(invalid)>
        """
    }

    package static func timestamp(_ date: Date) -> String {
        // By arithmetic in the years 1601–9999, where Foundation's Gregorian calendar is the proleptic one (about 0.1
        // µs; the calendar took 20–40 µs a call, and the account page makes one to three per event and session).
        // Foundation counts from the reference date, so this does too: the seconds it floors are the same.
        let interval = date.timeIntervalSinceReferenceDate
        if interval >= -12_622_780_800, interval < 252_423_993_600 {
            let seconds = Int64(interval.rounded(.down)) + 978_307_200
            // The export's UTC text, `YYYY-MM-DDTHH:MM:SSZ` for whole seconds: its first 19 bytes, a space for the `T`.
            var text = Array(TransferTimestamp(microseconds: seconds * 1_000_000).description.utf8.prefix(19))
            text[10] = UInt8(ascii: " ")
            return String(decoding: text, as: UTF8.self)
        }
        return calendarTimestamp(date)
    }

    /// ``timestamp(_:)`` through Foundation's Gregorian calendar (before 1601, after 9999; and the tests' reference).
    package static func calendarTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0,
            c.second ?? 0)
    }
}

extension Pages {
    /// The labels the error summaries use for fields whose form label says more (the sign-up form's).
    static let shortLabels: [Field: String] = [
        .password: "Password", .firstName: "First name", .lastName: "Last name",
    ]

    /// One field's messages, in one element its input points at (`aria-describedby`).
    static func errorNote(_ name: String, _ errors: [FieldError]) -> String {
        "<span class=\"error\" id=\"\(name)-error\">"
            + errors.map { HTML.escape($0.problem) }.joined(separator: "; ") + "</span>"
    }

    /// An input's attributes when it holds `errors`: invalid, described by its messages, and focused when it is the
    /// first of the form to correct.
    static func invalidAttributes(_ name: String, _ errors: [FieldError], focus: Bool) -> String {
        guard !errors.isEmpty else { return "" }
        return " aria-invalid=\"true\" aria-describedby=\"\(name)-error\"" + (focus ? " autofocus" : "")
    }

    /// A form's errors in the form's order, each named by the label the person sees.
    static func summary(_ errors: [FieldError], order: [(Field, String)]) -> String {
        let position = Dictionary(order.enumerated().map { ($1.0, $0) }, uniquingKeysWith: { first, _ in first })
        let labels = Dictionary(order.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        return errors.enumerated()
            .sorted {
                (position[$0.element.field] ?? .max, $0.offset) < (position[$1.element.field] ?? .max, $1.offset)
            }
            .map { HTML.escape((labels[$0.element.field] ?? $0.element.field.rawValue) + ": " + $0.element.problem) }
            .joined(separator: "; ")
    }

    /// A message over a form, announced when the page opens; `focused`, given the focus (for a message no field of
    /// the form can answer: the page would otherwise open at its top, the message out of sight).
    static func errorParagraph(_ id: String, _ text: String, focused: Bool = false) -> String {
        let focus = focused ? " tabindex=\"-1\" autofocus" : ""
        return "<p class=\"error\" role=\"alert\" id=\"\(id)\"\(focus)>\(HTML.escape(text))</p>\n"
    }

    /// The attributes of the input `id` when it is `errorField`, the one a message over its form (`message`, that
    /// message's id) is about: invalid, described by the message, focused.
    static func faultAttributes(_ id: String, _ errorField: String?, message: String) -> String {
        id == errorField ? " aria-invalid=\"true\" aria-describedby=\"\(message)\" autofocus" : ""
    }

    /// A page's title, saying first when a form of it was refused (the first thing a screen reader reads of a page):
    /// "Error: Log in", "2 errors: Sign up".
    static func title(_ title: String, problems: Int) -> String {
        switch problems {
        case 0: title
        case 1: "Error: " + title
        default: "\(problems) errors: " + title
        }
    }
}
