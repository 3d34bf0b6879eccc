import AccountCrypto
import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// A stored Twitter access token that a deletion or an unlink removes but the key ring cannot open (its key taken
/// out of the ring too early) cannot be revoked at Twitter: it stays valid there. The store says so in its log,
/// naming the Twitter account and never the token (until session 61 it went in silence).
struct UnrevokableTokenTests {
    /// A store in `dir` whose account `ann` has Twitter id 7001 linked, its token sealed under `k0`, reopened with a
    /// ring of `k1` only and a logger writing into `lines`.
    func storeWhoseTokenCannotBeOpened(in dir: String, lines: Locked<[String]>) async throws -> AccountStore {
        let first = try makeStore(in: dir, keyRing: makeKeyRing(["k0"]))
        _ = try await first.createAccount(
            newAccount("ann", passwordHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eHh4eHh4eHh4eHh4eHh4eA=="),
            linking: twitterIdentity("7001", screenName: "ann_tw"),
            credential: TwitterCredential(token: "token-7001-visible", secret: Secret("secret-7001-hidden")))
        try first.close()
        var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
        configuration.logger = capturingLogger(lines)
        return try AccountStore(configuration: configuration, keyRing: makeKeyRing(["k1"]))
    }

    func expectWarned(_ lines: [String], removedBy what: String) {
        let warnings = lines.filter { $0.contains("cannot be revoked at Twitter") }
        #expect(warnings.count == 1, "\(lines)")
        let warning = warnings.first ?? ""
        #expect(warning.contains("7001") && warning.contains(what) && warning.contains("k0"), "\(warning)")
        #expect(!lines.contains { $0.contains("token-7001-visible") || $0.contains("secret-7001-hidden") }, "\(lines)")
    }

    @Test func aDeletionSaysTheTokenItRemovedCannotBeRevoked() async throws {
        try await withTemporaryDirectory { dir in
            let lines = Locked<[String]>([])
            let store = try await storeWhoseTokenCannotBeOpened(in: dir, lines: lines)
            defer { try? store.close() }

            let deletion = try await store.deleteAccount(.username("ann"))

            // The account and its token are gone, nothing to revoke was handed back, and the log says why
            #expect(deletion.removedCredential && deletion.credential == nil)
            #expect(try await store.account(.username("ann")) == nil)
            #expect(countQuery(dir + "/accounts.sqlite", "SELECT count(*) FROM twitter_credentials") == 0)
            expectWarned(lines.value, removedBy: "deletion")
        }
    }

    @Test func anUnlinkSaysTheTokenItRemovedCannotBeRevoked() async throws {
        try await withTemporaryDirectory { dir in
            let lines = Locked<[String]>([])
            let store = try await storeWhoseTokenCannotBeOpened(in: dir, lines: lines)
            defer { try? store.close() }

            let (account, credential) = try await store.unlinkTwitterTakingCredential(from: .username("ann"))

            #expect(account.twitter == nil && credential == nil)
            expectWarned(lines.value, removedBy: "unlink")
        }
    }

    /// And a token the ring can open is handed back to be revoked, with no such warning.
    @Test func aTokenTheRingOpensIsHandedBackWithoutAWarning() async throws {
        try await withTemporaryDirectory { dir in
            let lines = Locked<[String]>([])
            var configuration = StoreConfiguration(path: dir + "/accounts.sqlite")
            configuration.schemaPolicy = .applyPendingMigrations
            configuration.logger = capturingLogger(lines)
            let store = try AccountStore(configuration: configuration, keyRing: makeKeyRing(["k1"]))
            defer { try? store.close() }
            _ = try await store.createAccount(
                newAccount("ann", passwordHash: "scrypt$ln=10$r=8$p=1$c2FsdHNhbHQ=$eHh4eHh4eHh4eHh4eHh4eA=="),
                linking: twitterIdentity("7001"),
                credential: TwitterCredential(token: "t", secret: Secret("s")))

            let deletion = try await store.deleteAccount(.username("ann"))

            #expect(deletion.credential?.token == "t")
            #expect(!lines.value.contains { $0.contains("cannot be revoked") }, "\(lines.value)")
        }
    }
}
