import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

struct RegistrationWriteTests {
    @Test func registersAccountIdentityAndCredentialInOneTransaction() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            let twitterID = TwitterUserID(decimal: "18446744073709551615")!
            #expect(try store.accountID(twitterUserID: twitterID) == nil)

            let account = try await store.createAccount(
                newAccount("ann", email: "ann@example.org"), linking: twitterIdentity(twitterID.decimalString),
                credential: TwitterCredential(token: "tok", secret: Secret("sec")))

            // The synchronous lookup sees it at once, and so does the async one
            #expect(try store.accountID(twitterUserID: twitterID) == account.id)
            #expect(try await store.account(twitterUserID: twitterID)?.id == account.id)
            #expect(try await store.credential(for: twitterID)?.secret == Secret("sec"))
            #expect(try await store.events(for: account.id).map(\.kind) == [.linked, .created])
        }
    }

    @Test(arguments: [("ann2", "9"), ("ANN", "10")])
    func aConflictLeavesNothingBehind(_ username: String, _ twitterID: String) async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir)
            defer { try? store.close() }
            _ = try await store.createAccount(
                newAccount("ann"), linking: twitterIdentity("9"),
                credential: TwitterCredential(token: "t", secret: Secret("s")))
            let before = try databaseDump(dir + "/accounts.sqlite")

            // A second registration that reuses the Twitter id (or the username) fails whole
            let expected: StoreError = twitterID == "9" ? .duplicate(.twitterUserID) : .duplicate(.username)
            await #expect(throws: expected) {
                try await store.createAccount(
                    newAccount(username), linking: twitterIdentity(twitterID),
                    credential: TwitterCredential(token: "t2", secret: Secret("s2")))
            }
            #expect(try databaseDump(dir + "/accounts.sqlite") == before)
        }
    }
}
