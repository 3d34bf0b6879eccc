import AccountModel
import Foundation
import Testing

struct BrowserSessionTests {
    /// The CSRF token is a secret of the session (a page from elsewhere that learns it can post as the person): a
    /// session an app logs or dumps shows its account and times, never the token.
    @Test func descriptionAndDumpHideTheCSRFToken() {
        let csrf = "c5f7e2a9d1b3c5f7e2a9d1b3c5f7e2a9d1b3c5f7e2a9d1b3c5f7e2a9d1b3c5f7"
        let session = BrowserSession(
            tokenHash: String(repeating: "a", count: 64), user: UserID("00000000-0000-4000-8000-000000000000"),
            csrfToken: csrf, createdAt: Date(timeIntervalSince1970: 0), lastSeenAt: Date(timeIntervalSince1970: 0),
            idleExpiresAt: Date(timeIntervalSince1970: 3600), expiresAt: Date(timeIntervalSince1970: 43_200))
        var dumped = ""
        dump(session, to: &dumped)
        for text in [String(describing: session), String(reflecting: session), "\(session)", dumped] {
            let revealsCSRF = text.contains(csrf)
            #expect(!revealsCSRF, "the CSRF token is in the session's description or dump")
            #expect(text.contains("00000000-0000-4000-8000-000000000000"), "\(text) no longer shows the account")
        }
    }

    /// A session's new id and CSRF token, given with a change of the account's ways in, hide the token as the session
    /// does.
    @Test func aRekeysDescriptionAndDumpHideTheCSRFToken() {
        let csrf = "d6a8f3b0e2c4d6a8f3b0e2c4d6a8f3b0e2c4d6a8f3b0e2c4d6a8f3b0e2c4d6a8"
        let rekey = BrowserSessionRekey(tokenHash: String(repeating: "b", count: 64), csrfToken: csrf)
        var dumped = ""
        dump(rekey, to: &dumped)
        for text in [String(describing: rekey), String(reflecting: rekey), "\(rekey)", dumped] {
            let revealsCSRF = text.contains(csrf)
            #expect(!revealsCSRF, "the CSRF token is in the rekey's description or dump")
            #expect(text.contains(String(repeating: "b", count: 64)), "\(text) no longer shows the token hash")
        }
    }
}
