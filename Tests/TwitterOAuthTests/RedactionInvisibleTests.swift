import Foundation
import Testing
import TwitterOAuth

struct RedactionInvisibleTests {
    /// `Redaction.apply` strips control and invisible characters before looking for secrets, "so that a secret sent
    /// back split by an invisible character (`ab\u{200B}cd`) is whole again": the format characters (Cf), and the
    /// other default-ignorable ones, such as the combining grapheme joiner U+034F and the variation selectors
    /// (U+FE0F), Mn, which print as nothing. A verifier echoed split by one does not show in the error's message.
    @Test(arguments: ["\\u034f", "\\ufe0f"])
    func anEchoedVerifierSplitByAnInvisibleMarkStaysOutOfTheError(separator: String) async {
        let verifier = "VERIFIER-ghi"
        let split = "VERIFIER" + separator + "-ghi"
        let transport = StubTransport(
            status: 401, body: #"{"errors":[{"code":89,"message":"Invalid oauth_verifier \#(split)"}]}"#)
        let error = await #expect(throws: TwitterError.self) {
            try await TwitterClientTests.client(transport).accessToken(
                requestToken: RequestToken(token: "REQ", secret: "REQ-SECRET-abc"), verifier: verifier)
        }
        #expect(error?.apiErrorCode == 89)
        // What a reader of the log sees: the message without the characters that print as nothing
        let shown = String(
            String.UnicodeScalarView(
                String(describing: error).unicodeScalars.filter { !$0.properties.isDefaultIgnorableCodePoint }))
        let leaksVerifier = shown.contains(verifier)
        #expect(!leaksVerifier, "the verifier reads whole in the error's description")
    }
}
