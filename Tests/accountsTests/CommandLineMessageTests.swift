import AccountCrypto
import AccountStore
import AccountTransfer
import TestSupport
import Testing

@testable import accounts

/// Every error whose advice depends on who reads it, word for word for both readers: the library's `description` (an
/// app's calls and settings) and `accounts`'s `commandLineDescription` (its commands and flags). The two say what is
/// wrong in the same words, and differ only in what to do.
struct CommandLineMessageTests {
    let path = "/srv/accounts.sqlite"

    @Test func storeErrors() {
        let missing = StoreError.databaseMissing(path: path)
        #expect(
            missing.description
                == "no database at /srv/accounts.sqlite; create it with AccountStore.migrate(_:), or open the store "
                + "with schemaPolicy = .applyPendingMigrations")
        #expect(
            missing.commandLineDescription == "no database at /srv/accounts.sqlite; run `accounts migrate` to create it"
        )

        let notSQLite = StoreError.notADatabase(path: path)
        #expect(
            notSQLite.description
                == "/srv/accounts.sqlite is not an SQLite database (wrong StoreConfiguration path?); it was left "
                + "untouched")
        #expect(
            notSQLite.commandLineDescription
                == "/srv/accounts.sqlite is not an SQLite database (wrong --database?); it was left untouched")

        let behind = StoreError.schemaBehind(path: path, pendingVersions: [4, 5])
        #expect(
            behind.description
                == "the database /srv/accounts.sqlite lacks migrations 4, 5; apply them with AccountStore.migrate(_:), "
                + "or open the store with schemaPolicy = .applyPendingMigrations")
        #expect(
            behind.commandLineDescription
                == "the database /srv/accounts.sqlite lacks migrations 4, 5; run `accounts migrate`")
        // Lacking every migration, it may be another program's file named by mistake (session 59: the advice to
        // migrate it would have added the accounts tables to it)
        let none = StoreError.schemaBehind(path: path, pendingVersions: Array(1...(Migrate.latestVersion ?? 1)))
        #expect(
            none.commandLineDescription.hasSuffix(
                "no accounts migration was ever applied to it: wrong --database? If it is to be the accounts "
                    + "database, run `accounts migrate`"),
            "\(none.commandLineDescription)")

        #expect(
            StoreError.noKeyRing.description
                == "no encryption keys configured: the store was opened without a key ring; open it with one, as "
                + "KeyRing.load(keysFile:environment:) reads it from its `keysFile:` parameter or from "
                + "ACCOUNTS_KEYS_FILE or ACCOUNTS_KEYS in the environment")
        // (The CLI's says what is wrong in the library's words too: before, it left out "the store was opened
        // without a key ring".)
        #expect(
            StoreError.noKeyRing.commandLineDescription
                == "no encryption keys configured: the store was opened without a key ring; set ACCOUNTS_KEYS or "
                + "--keys-file (make one with `accounts keys generate`)")

        // The others read the same for both.
        let full = StoreError.diskFull(path: path)
        #expect(full.commandLineDescription == full.description)
    }

    @Test func migrationErrors() {
        let notFound = MigrationError.targetNotFound(42)
        #expect(
            notFound.description
                == "migration target 42 (the `to:` of AccountStore.migrate): no migration has that version; give the "
                + "version of one this binary carries, or none to apply them all")
        let advice =
            "--to 42: no migration has that version; `accounts migrations status` lists the versions this build "
            + "carries"
        #expect(notFound.commandLineDescription == advice)
        #expect(StoreError.migration(notFound).commandLineDescription == advice)

        let below = MigrationError.targetBelowApplied(target: 1, applied: 9)
        #expect(
            below.description
                == "migration target 1 (the `to:` of AccountStore.migrate) is below the applied version 9; migrations "
                + "are never undone: give 9 or above, or none")
        #expect(below.commandLineDescription == "--to 1 is below the applied version 9; migrations are never undone")

        let missing = MigrationError.missing(version: 7, name: "0007_sessions")
        #expect(missing.commandLineDescription == missing.description)
    }

    @Test func keyRingErrors() {
        #expect(
            KeyRingError.noKeys.description
                == "no encryption keys are configured: give KeyRing.load(keysFile:environment:) a keys file (its "
                + "`keysFile:` parameter, or ACCOUNTS_KEYS_FILE=FILE in the environment it is given), or "
                + "ACCOUNTS_KEYS=\"id:BASE64KEY\" in that environment, or give KeyRing(keys:) one key at least; "
                + "SecretKey.generate(id:) makes a key, and its unredactedKeysFileLine() is the line to write")
        #expect(
            KeyRingError.noKeys.commandLineDescription
                == "no encryption keys are configured: run `accounts keys generate --output FILE` and pass "
                + "--keys-file FILE (or set ACCOUNTS_KEYS_FILE=FILE), or set ACCOUNTS_KEYS=\"id:BASE64KEY\"")

        let duplicate = KeyRingError.duplicateKey(
            keyID: "k1", location: .file(path: "/etc/keys", line: 4), earlierKeyID: "k2",
            earlierLocation: .file(path: "/etc/keys", line: 2))
        #expect(
            duplicate.description
                == "key \"k1\" in /etc/keys line 4 is the same key as \"k2\" in /etc/keys line 2: each id needs a key "
                + "of its own (a rewrap from one to the other would change nothing); make a new key with "
                + "SecretKey.generate(id:)")
        #expect(
            duplicate.commandLineDescription
                == "key \"k1\" in /etc/keys line 4 is the same key as \"k2\" in /etc/keys line 2: each id needs a key "
                + "of its own (a rewrap from one to the other would change nothing); make a new key with "
                + "`accounts keys generate`")

        let owned = KeyRingError.keysFileOwnedByAnotherUser(path: "/etc/keys", owner: 12_345)
        #expect(
            owned.description
                == "keys file /etc/keys belongs to user id 12345, not to the user this process runs as or root; "
                + "whoever owns it chooses the key new secrets are sealed with (chown it, or copy it to a file of "
                + "your own)")
        #expect(
            owned.commandLineDescription
                == "keys file /etc/keys belongs to user id 12345, not to the user running accounts or root; whoever "
                + "owns it chooses the key new secrets are sealed with (chown it, or copy it to a file of your own)")

        let empty = KeyRingError.emptyKeysFile(path: "/etc/keys")
        #expect(
            empty.description
                == "keys file /etc/keys holds no keys; add lines of the form id:BASE64KEY (SecretKey.generate(id:) "
                + "makes a key, and its unredactedKeysFileLine() is the line)")
        #expect(
            empty.commandLineDescription
                == "keys file /etc/keys holds no keys; add lines of the form id:BASE64KEY (`accounts keys generate` "
                + "makes one)")

        let length = KeyRingError.wrongKeyLength(keyID: "k1", byteCount: 16, location: .program)
        #expect(length.commandLineDescription == length.description)
    }

    /// A hash refused as too costly, as an import reads it: the library names the parameters an app passes, the CLI
    /// its flag. Any other problem with a password hash reads the same for both.
    @Test(arguments: [
        (
            "pbkdf2_sha256$5000000$salt$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=",
            "line 1: password_hash: the pbkdf2_sha256 password hash has parameters out of range: 5000000 iterations "
                + "is more than the 3000000 an imported hash may (Django 6.0 uses 1,200,000); every sign-in attempt "
                + "would take seconds"
        ),
        (
            "scrypt$ln=17$r=15$p=16$c2FsdHNhbHRzYWx0c2FsdA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "line 1: password_hash: the scrypt password hash has parameters out of range: ln=17$r=15$p=16 costs "
                + "N·r·p = 31457280, more than the 1048576 an imported hash may (4 times ln=15$r=8$p=1); every "
                + "sign-in attempt would take seconds"
        ),
    ])
    func aCostlyPasswordHash(hash: String, fault: String) throws {
        let problem = try onlyProblem("{\"username\": \"dear\", \"password_hash\": \"\(hash)\"}\n")
        #expect(
            problem.description
                == fault + " (import it anyway with allowsCostlyPasswordHashes: true (AccountReader) or "
                + "allowingCostly: true (PasswordHasher.validateFormat))")
        #expect(problem.commandLineDescription == fault + " (import it anyway with --allow-costly-password-hashes)")
    }

    @Test func otherPasswordHashProblemsReadTheSame() throws {
        let problem = try onlyProblem("{\"username\": \"a\", \"password_hash\": \"pbkdf2_sha256$1$salt$AAAA\"}\n")
        #expect(problem.description.hasPrefix("line 1: password_hash: the pbkdf2_sha256 password hash "))
        #expect(problem.commandLineDescription == problem.description)
    }

    /// The one problem of the one line of `jsonl`, read by a real reader from a file.
    func onlyProblem(_ jsonl: String) throws -> LineProblem {
        try withTemporaryDirectorySync { dir in
            let file = dir + "/input.jsonl"
            writeFile(file, Array(jsonl.utf8))
            let reader = try AccountReader(path: file, format: .jsonl)
            guard case .invalid(let problems) = try reader.next(), problems.count == 1 else {
                Issue.record("expected one problem")
                return LineProblem(line: 0, field: "", problem: "")
            }
            return problems[0]
        }
    }
}
