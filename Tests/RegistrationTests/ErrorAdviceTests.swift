import AccountModel
import AccountStore
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

    /// Thrown both for an unlink without a password and for a password removed without Twitter: the advice fits both
    /// (until session 60 it told a removal to "set a password first", which the account had).
    @Test func theLastWayInSaysWhatToKeepForEitherChange() throws {
        let user = try #require(UserID("00000000-0000-4000-8000-000000000000"))
        let message = LocalAccountError.store(.lastSignInMethod(user)).description
        #expect(message.contains("would be left with no way to sign in"), "\(message)")
        #expect(message.contains("set a password before unlinking Twitter"), "\(message)")
        #expect(message.contains("link Twitter before removing the password"), "\(message)")
        #expect(!message.hasSuffix("set a password first"), "\(message)")
    }

    /// A new password that cannot be hashed (OpenSSL failing) is said so, not "cannot use the sealed password" (a
    /// password is hashed, never sealed), with what to do.
    @Test func aPasswordThatCannotBeHashedSaysNothingChangedAndToTryAgain() {
        let message = LocalAccountError.hashingFailed.description
        #expect(message.contains("could not be hashed") && message.contains("nothing was changed"), "\(message)")
        #expect(message.hasSuffix("try again") && !message.contains("sealed"), "\(message)")
    }
}
