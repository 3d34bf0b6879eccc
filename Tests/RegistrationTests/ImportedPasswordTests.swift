import AccountCrypto
import AccountModel
import AccountStore
import AccountTransfer
import Registration
import TestSupport
import Testing

struct ImportedPasswordTests {
    static let hasher = PasswordHasher(parameters: .init(log2N: 10, r: 8, p: 1))

    /// People whose accounts were imported with a password hash sign in with their old password; a Django hash is
    /// upgraded to scrypt at that sign-in.
    @Test func importedHashesSignInWithTheOldPasswordAndDjangosIsUpgraded() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            // Given a Django hash (made by Django 5.2.19, Scripts/make-django-hash.py) and one of ours, in a CSV file
            let django = "pbkdf2_sha256$1000000$lVmtlpgxpubYPgU2pQlWmm$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk="
            let ours = try Self.hasher.hash(password: "pässwörd ✓ 密码")
            let text = """
                username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name,password_hash
                dj,dj@example.org,,,,,,,\(django)
                sc,,,,,,,,\(ours)

                """
            let (report, problems) = try importText(text, format: .csv, into: store, directory: dir)
            #expect(problems == [] && report.imported == 2)

            // When they sign in with their old passwords
            let local = LocalAccounts(store: store, hasher: Self.hasher, failureFloor: .zero)
            guard
                case .signedIn = try await local.signIn(
                    login: "dj@example.org", password: Secret("correct horse battery staple"))
            else {
                Issue.record("the imported Django hash did not sign in")
                return
            }
            guard case .signedIn = try await local.signIn(login: "sc", password: Secret("pässwörd ✓ 密码")) else {
                Issue.record("the imported scrypt hash did not sign in")
                return
            }
            // Then the Django hash was replaced by scrypt, and a wrong password still fails
            let exported = try exportText(store, format: .csv, includePasswordHashes: true, directory: dir)
            // (Bools first: a failing `#expect` would print the export, password hashes included)
            let keepsDjango = exported.contains("pbkdf2_sha256")
            let rehashed = exported.contains("dj@example.org,,,") && exported.contains(",scrypt$ln=10$r=8$p=1$")
            #expect(!keepsDjango, "the export still holds a pbkdf2_sha256 hash")
            #expect(rehashed, "the export does not give dj an scrypt hash (ln=10, r=8, p=1)")
            guard case .invalidCredentials = try await local.signIn(login: "dj", password: Secret("wrong password"))
            else {
                Issue.record("a wrong password signed in")
                return
            }
        }
    }
}
