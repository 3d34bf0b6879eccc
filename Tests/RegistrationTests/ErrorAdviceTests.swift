import Registration
import Testing

/// Errors whose message once stated the fault without what to do about it (r6 of session 59): each now says it.
struct ErrorAdviceTests {
    @Test func aPasswordCallOnAnAccountWithoutOneSaysHowItSignsIn() {
        #expect(
            LocalAccountError.noPassword.description
                == "password: the account has no password; it signs in with Twitter until one is set")
    }

    @Test func aTwitterAccountLinkedElsewhereSaysWhereToGo() {
        #expect(
            RegistrationError.twitterLinkedToAnotherAccount.description
                == "this Twitter account is already linked to another account; sign in to that one with Twitter, or "
                + "unlink it there first")
    }
}
