/// Why a ``TestBrowser`` could not do a step. Its messages name the page (the query cut to `?…`) and the status, never
/// a cookie, a token or a page's body.
public enum TestBrowserError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The page `page` (which answered `status`) has no hidden `csrf_token` field, so its form could not be sent:
    /// nothing was posted.
    case noCSRFToken(page: String, status: Int)
    /// ``TestBrowser/follow(_:)`` was given the answer from `page` (`status`), which has no `Location` to go to.
    case noRedirect(page: String, status: Int)
    /// A path or URL that is not one.
    case badTarget(String)
    /// The request got no answer (`reason`: refused, timed out, too large…).
    case requestFailed(method: String, page: String, reason: String)
    /// A step of ``TestBrowser/useTwitter(_:sandbox:action:on:fields:)`` did not go as a browser expects: what
    /// happened, and what to check.
    case twitterStep(String)

    /// What went wrong and what to check; never a cookie, token or page body.
    public var description: String {
        switch self {
        case .noCSRFToken(let page, let status):
            "no CSRF token in the page at \(page) (it answered \(status)): is it a page with a form of the routes', "
                + "and is the browser signed in if the form needs it?"
        case .noRedirect(let page, let status):
            "the answer from \(page) (\(status)) has no Location to follow; follow(_:) takes a redirect (3xx): check "
                + "what the step before it answered"
        case .badTarget(let target):
            "\"\(target)\" is not a path of the app (starting with /) or an absolute URL"
        case .requestFailed(let method, let page, let reason):
            "\(method) \(page) got no answer: \(reason); is the app running at the browser's base URL?"
        case .twitterStep(let what):
            what
        }
    }
}
