import AccountModel

/// The sandbox's HTML: the consent page with a choice of fake user, and its short messages.
enum ConsentPage: Sendable {
    static func render(requestToken: String, users: [SandboxUser], selectedUserID: UInt64) -> String {
        let choices = users.map { user in
            let checked = user.id == selectedUserID ? " checked" : ""
            let email = user.email.map { " — " + escape($0) } ?? " — no email"
            return """
                      <li><label><input type="radio" name="user_id" value="\(user.id)"\(checked)> \
                <strong>\(escape(user.name))</strong> @\(escape(user.screenName))\(email)</label></li>
                """
        }
        return page(
            title: "Authorize app",
            body: """
                  <h1>Authorize this app to use your account?</h1>
                  <p>This is the local Twitter sandbox, not Twitter. Choose the fake user to sign in as.</p>
                  <form method="post" action="/oauth/authorize">
                    <input type="hidden" name="oauth_token" value="\(escape(requestToken))">
                    <fieldset>
                      <legend>Sign in as</legend>
                      <ul>
                \(choices.joined(separator: "\n"))
                      </ul>
                    </fieldset>
                    <button type="submit" name="action" value="authorize">Authorize app</button>
                    <button type="submit" name="action" value="cancel">Cancel</button>
                  </form>
                """
        )
    }

    static func invalidToken() -> String {
        message("This page is no longer valid: the request token is unknown, expired or already used.")
    }

    static func pin(_ verifier: String) -> String {
        page(
            title: "PIN",
            body: "<h1>You approved the app</h1>\n<p>Enter this PIN in the app: <code>\(escape(verifier))</code></p>"
        )
    }

    static func message(_ text: String) -> String {
        page(title: "Twitter sandbox", body: "<h1>Twitter sandbox</h1>\n<p>\(escape(text))</p>")
    }

    static func index(users: [SandboxUser]) -> String {
        let list = users.map { "<li>\(escape($0.name)) @\(escape($0.screenName)) (\($0.id))</li>" }
        return page(
            title: "Twitter sandbox",
            body: """
                <h1>Twitter sandbox</h1>
                <p>A local stand-in for Twitter's OAuth 1.0a endpoints. Fake users:</p>
                <ul>\(list.joined())</ul>
                """
        )
    }

    private static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>\(escape(title)) – Twitter sandbox</title></head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    static func escape(_ text: String) -> String {
        HTMLText.escape(text)
    }
}
