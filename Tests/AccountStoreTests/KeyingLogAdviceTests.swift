import AccountModel
import AccountStore
import Foundation
import TestSupport
import Testing

/// The warnings a store logs as it opens and keys addresses it could not key (two addresses that differ only in
/// letter case; an address reserved for an undo link whose key another account holds) tell an app's log reader how the
/// app lists them (`AccountStore.emailConflicts()`, `AccountStore.reindex()`'s report), not a command it may not have.
/// The `accounts` command never sets a store logger: it prints the conflicts itself (`reindex`, `migrate`).
struct KeyingLogAdviceTests {
    static func opened(_ path: String) throws -> (AccountStore, [String]) {
        let lines = Locked<[String]>([])
        var configuration = StoreConfiguration(path: path)
        configuration.schemaPolicy = .requireCurrent
        configuration.logger = capturingLogger(lines)
        let store = try AccountStore(configuration: configuration, keyRing: nil)
        return (store, lines.withLock { $0 }.filter { $0.hasPrefix("warning ") })
    }

    @Test func addressesThatDifferOnlyInCaseAreListedByEmailConflicts() async throws {
        try await withTemporaryDirectory { dir in
            // Given two addresses stored before the store compared them so
            let path = dir + "/accounts.sqlite"
            try EmailUniquenessTests.schema8Database(
                path, [(1, "umlaut", "Änn@example.org"), (2, "clash", "äNN@example.org")])
            _ = try AccountStore.migrate(StoreConfiguration(path: path))
            // When a store opens it
            let (store, warnings) = try Self.opened(path)
            defer { try? store.close() }
            // Then the warning names the call that lists them
            #expect(
                warnings.map { $0.prefix(while: { $0 != "[" }) } == [
                    "warning stored addresses differ only in letter case; AccountStore.emailConflicts() lists them "
                ], "\(warnings)")
            #expect(warnings.allSatisfy { !$0.contains("accounts reindex") }, "\(warnings)")
            // And that call does
            #expect(try await store.emailConflicts().map(\.username) == ["clash"])
        }
    }

    @Test func aReservedAddressWithAnotherAccountsKeyIsListedByReindex() async throws {
        try await withTemporaryDirectory { dir in
            // Given ann's former address reserved under a key former rules made, and bob's reserved under a key that
            // is now carol's address's
            let store = try makeStore(in: dir)
            let path = dir + "/accounts.sqlite"
            for (username, email) in [
                ("ann", "ann.new@example.org"), ("bob", "bob@example.com"), ("carol", "zed@example.com"),
            ] {
                _ = try await store.createAccount(newAccount(username, email: email))
            }
            try store.close()
            for (letter, username, email, key) in [
                ("a", "ann", "Ann@Example.org", "Ann@Example.org"), ("b", "bob", "Zed@Example.com", "former-key"),
            ] {
                try executeSQL(
                    path,
                    """
                    INSERT INTO email_change_undos (token_hash, user_id, email, email_key, replaced_by, changed_at,
                        expires_at)
                    SELECT '\(String(repeating: letter, count: 64))', id, '\(email)', '\(key)', email,
                        1733300000000000, 4102444800000000
                    FROM users WHERE username = '\(username)'
                    """)
            }
            // When a store opens it (keying ann's reservation, leaving bob's)
            let (reopened, warnings) = try Self.opened(path)
            defer { try? reopened.close() }
            // Then the warning names the call whose report lists it
            #expect(
                warnings.map { $0.prefix(while: { $0 != "[" }) } == [
                    "warning addresses reserved for undo links have another account's key; AccountStore.reindex() "
                        + "lists them in its report's reservationConflicts "
                ], "\(warnings)")
            #expect(warnings.allSatisfy { !$0.contains("accounts reindex") }, "\(warnings)")
            // And that call does
            #expect(try await reopened.reindex().reservationConflicts.map(\.username) == ["bob"])
        }
    }
}
