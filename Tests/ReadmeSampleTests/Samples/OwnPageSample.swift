import AccountModel
import AccountsHummingbird
import Hummingbird

/// README "Mounting the routes": a page of the app's own that shows who is signed in and a "Sign out" button.
func ownPageSample(routes: AccountRoutes, router: Router<AccountsRequestContext>) {
    router.get("/me") { request, context -> Response in
        guard let account = try await routes.signedInAccount(request, context: context),
            let token = try await routes.csrfToken(request, context: context)
        else { return Response(status: .seeOther, headers: [.location: "/login"]) }
        // (escapeHTML: the app's own, turning & < > " into entities)
        return routes.htmlResponse(
            """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Me</title></head><body>
            <p>Signed in as \(escapeHTML(account.username))</p>
            <form method="post" action="/sign-out"><input type="hidden" name="csrf_token" value="\(token)">
            <button>Sign out</button></form></body></html>
            """)
    }
}
