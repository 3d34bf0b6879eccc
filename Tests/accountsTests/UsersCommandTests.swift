import Foundation
import TestSupport
import Testing

struct UsersCommandTests {
    /// A database holding the transfer fixture.
    func fixtureDatabase(_ dir: String) async throws -> String {
        let database = try await migratedDatabase(dir)
        writeFile(dir + "/fixture.jsonl", Array(transferFixtureJSONL.utf8))
        let result = try await runAccounts([
            "--database", database, "import", "--format", "jsonl", dir + "/fixture.jsonl",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        return database
    }

    /// zoe's public id, as `users show --format json` gives it.
    func zoesPublicID(_ database: String) async throws -> String {
        let show = try await runAccounts(["--database", database, "users", "show", "zoe", "--format", "json"])
        return try #require(
            (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])?["id"] as? String)
    }

    /// `users show` lists the account's live sessions by device; `users sign-out` ends them all for a person who
    /// cannot (a lost phone), audited as `sessions_revoked` by `cli`; an unknown account changes nothing.
    @Test func signOutEndsEverySessionOfTheAccountAndShowListsThem() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await fixtureDatabase(dir)
            let far = 4_102_444_800_000_000  // 2100-01-01, in microseconds
            for (letter, device, user) in [
                ("a", "'Firefox on Linux'", "zoe"), ("b", "NULL", "zoe"), ("c", "'Chrome'", "yamada"),
            ] {
                try executeSQL(
                    database,
                    """
                    INSERT INTO browser_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at,
                        idle_expires_at, expires_at, device)
                    SELECT '\(String(repeating: letter, count: 64))', id, 'csrf', 1733300000000000, 1733300060000000,
                        \(far), \(far), \(device)
                    FROM users WHERE username = '\(user)'
                    """)
            }
            let shown = try await runAccounts(["--database", database, "users", "show", "zoe"])
            #expect(shown.stdout.contains("sessions            2 live (most recently used first)\n"), "\(shown.stdout)")
            #expect(
                shown.stdout.contains(
                    "  Firefox on Linux  signed in 2024-12-04T08:13:20Z, last active 2024-12-04T08:14:20Z\n"))
            #expect(shown.stdout.contains("  Unknown browser   signed in"))

            let before = try databaseDump(database)
            let unknown = try await runAccounts(["--database", database, "users", "sign-out", "nobody"])
            #expect(unknown.status == 1 && unknown.stderr.contains("no account 'nobody'"), "\(unknown.stderr)")
            #expect(try databaseDump(database) == before)

            let signedOut = try await runAccounts(["--database", database, "users", "sign-out", "zoe"])
            #expect(signedOut.status == 0, "\(signedOut.stderr)")
            #expect(signedOut.stdout.hasSuffix(" (zoe): ended 2 browser sessions\n"), "\(signedOut.stdout)")
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 1)
            #expect(
                countQuery(
                    database, "SELECT count(*) FROM account_events WHERE kind = 'sessions_revoked' AND actor = 'cli'")
                    == 1)
            let after = try await runAccounts(["--database", database, "users", "show", "zoe"])
            #expect(after.stdout.contains("sessions        none\n"), "\(after.stdout)")
        }
    }

    @Test func showPrintsTheAccountItsIdentityPasswordStateAndEventsButNoSecret() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await fixtureDatabase(dir)
            let table = try await runAccounts(["--database", database, "users", "show", "ZOE"])
            #expect(table.status == 0, "\(table.stderr)")
            for expected in [
                "username        zoe\n", "email           Zoe@Example.org (not confirmed)\n",
                "name            Zoë Ångström\n",
                "password        yes\n", "created         2024-05-01T12:30:00.250000Z\n", "last sign-in    never\n",
                "twitter         @zoe_a (Zoë Å), id 18446744073709551615\n", "  access token  none\n",
                "recent events (newest first):\n  none\n",
            ] {
                #expect(table.stdout.contains(expected), "\(expected) in \(table.stdout)")
            }

            let json = try await runAccounts(["--database", database, "users", "show", "zoe", "--format", "json"])
            #expect(json.status == 0)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["username"] as? String == "zoe")
            #expect(object["has_password"] as? Bool == true)
            #expect(object["last_sign_in_at"] is NSNull)
            #expect(object["email_verified_at"] is NSNull)
            let twitter = try #require(object["twitter"] as? [String: Any])
            #expect(twitter["id"] as? String == "18446744073709551615")
            #expect(twitter["has_credential"] as? Bool == false)
            #expect((object["recent_events"] as? [Any])?.isEmpty == true)

            // By public id too; and no hash anywhere
            let id = try #require(object["id"] as? String)
            let byID = try await runAccounts([
                "--database", database, "users", "show", id.uppercased(), "--format", "json",
            ])
            #expect(byID.stdout == json.stdout)
            // And by email address, as sign-in finds it (surrounding space, case)
            let byEmail = try await runAccounts(
                ["--database", database, "users", "show", " zoe@EXAMPLE.org ", "--format", "json"])
            #expect(byEmail.stdout == json.stdout, "\(byEmail.stderr)")
            let unknown = try await runAccounts(["--database", database, "users", "show", "nobody@example.org"])
            #expect(unknown.status == 1 && unknown.stderr.contains("no account 'nobody@example.org'"))
            for output in [table.stdout, json.stdout] {
                expectAbsent("pbkdf2", named: "the password hash's algorithm", in: output)
                expectAbsent("lVmtlpgxpubYPgU2pQlWmm", named: "the password hash's salt", in: output)
            }
        }
    }

    /// An operator answering "my address was taken" sees the address a change moved the account off while the
    /// change's undo link can give it back (reserved for the account: no other account can take it), until when, and
    /// the address that replaced it; never the link. A used or ended link shows nothing.
    @Test func showListsTheAddressesReservedForTheAccountsUndoLinks() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await fixtureDatabase(dir)
            // Given zoe's account moved off two addresses: one change still undoable, one undone, one expired
            for (letter, email, expires, used) in [
                ("d", "Zoe.Old@Example.org", "4102444800000000", "NULL"),
                ("e", "used@example.org", "4102444800000000", "1733300100000000"),
                ("f", "gone@example.org", "1733300200000000", "NULL"),
            ] {
                try executeSQL(
                    database,
                    """
                    INSERT INTO email_change_undos (token_hash, user_id, email, email_key, replaced_by, changed_at,
                        expires_at, used_at)
                    SELECT '\(String(repeating: letter, count: 64))', id, '\(email)', lower('\(email)'),
                        'Zoe@Example.org', 1733300000000000, \(expires), \(used)
                    FROM users WHERE username = 'zoe'
                    """)
            }
            // When the account is shown
            let table = try await runAccounts(["--database", database, "users", "show", "zoe"])
            let json = try await runAccounts(["--database", database, "users", "show", "zoe", "--format", "json"])
            #expect(table.status == 0 && json.status == 0, "\(table.stderr)\(json.stderr)")
            // Then the table names the reserved address, until when, and what replaced it
            #expect(
                table.stdout.contains(
                    "email undo      Zoe.Old@Example.org reserved until 2100-01-01T00:00:00Z (moved to Zoe@Example.org"
                        + " at 2024-12-04T08:13:20Z; the undo link mailed to it gives it back)\n"),
                "\(table.stdout)")
            // And looking the free address up says whom it is kept for, and until when
            let free = try await runAccounts(["--database", database, "users", "show", "zoe.old@example.ORG"])
            #expect(free.status == 1 && free.stderr.contains("no account 'zoe.old@example.ORG'"), "\(free.stderr)")
            #expect(
                free.stderr.contains(
                    "the address Zoe.Old@Example.org is reserved for account zoe until 2100-01-01T00:00:00Z"),
                "\(free.stderr)")
            // And the JSON lists it
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let undos = try #require(object["email_change_undos"] as? [[String: Any]], "\(json.stdout)")
            #expect(undos.count == 1)
            #expect(undos.first?["restores"] as? String == "Zoe.Old@Example.org")
            #expect(undos.first?["replaced_by"] as? String == "Zoe@Example.org")
            #expect(undos.first?["changed_at"] as? String == "2024-12-04T08:13:20Z")
            #expect(undos.first?["expires_at"] as? String == "2100-01-01T00:00:00Z")
            // And neither shows the used or expired link, nor any token hash
            for output in [table.stdout, json.stdout] {
                #expect(!output.contains("used@example.org") && !output.contains("gone@example.org"))
                #expect(!output.contains(String(repeating: "d", count: 64)))
            }
            // And an account without one says so
            let other = try await runAccounts(["--database", database, "users", "show", "obrien"])
            let line = other.stdout.split(separator: "\n").first { $0.hasPrefix("email undo ") }
            #expect(line.map { $0.split(separator: " ") } == ["email", "undo", "none"], "\(other.stdout)")
            let otherJSON = try await runAccounts([
                "--database", database, "users", "show", "obrien", "--format", "json",
            ])
            #expect(otherJSON.stdout.contains(#""email_change_undos": []"#), "\(otherJSON.stdout)")
        }
    }

    /// A negative `--events` is refused naming the flag and what it must be (it was read as an option `-1` and said
    /// "Missing value").
    @Test func aNegativeEventsCountIsAUsageErrorNamingTheFlag() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await fixtureDatabase(dir)
            let result = try await runAccounts(["--database", database, "users", "show", "zoe", "--events", "-1"])
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("--events must be 0 or more, not -1\n"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    /// What another program wrote (an event kind this version does not know, its details, a Twitter name) is shown
    /// without its control characters or direction overrides: it cannot clear the screen or reorder the table.
    @Test func showCleansWhatItPrintsOnTheTerminal() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await fixtureDatabase(dir)
            let id = try await zoesPublicID(database)
            try executeSQL(
                database,
                """
                INSERT INTO account_events (subject, kind, actor, details, occurred_at)
                VALUES ('\(id)', 'flagged' || char(27) || '[2J', 'cli', '{"note": "x' || char(8238) || 'y"}', 1);
                UPDATE twitter_identities SET display_name = 'Zo' || char(7) || 'ë';
                """)
            let table = try await runAccounts(["--database", database, "users", "show", "zoe"])
            #expect(table.status == 0, "\(table.stderr)")
            #expect(!table.stdout.contains("\u{1B}") && !table.stdout.contains("\u{202E}"))
            #expect(!table.stdout.contains("\u{7}"))
            #expect(table.stdout.contains("flagged?[2J") && table.stdout.contains("note=x?y"))
            #expect(table.stdout.contains("(Zo?ë)"), "\(table.stdout)")
            // JSON keeps them, escaped
            let json = try await runAccounts(["--database", database, "users", "show", "zoe", "--format", "json"])
            #expect(json.stdout.contains(#""kind": "flagged\u001b[2J""#), "\(json.stdout)")
            // And what delete prints of the Twitter identity is cleaned as well
            try executeSQL(database, "UPDATE twitter_identities SET screen_name = 'zoe' || char(8238) || '_a'")
            let deleted = try await runAccounts(["--database", database, "users", "delete", "zoe"])
            #expect(deleted.status == 0, "\(deleted.stderr)")
            #expect(deleted.stdout.contains("(@zoe?_a)") && !deleted.stdout.contains("\u{202E}"), "\(deleted.stdout)")
        }
    }

    @Test func deleteRemovesTheAccountPrintsWhatWentAndLeavesAnAnonymousEvent() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await fixtureDatabase(dir)
            let id = try await zoesPublicID(database)
            let deleted = try await runAccounts(["--database", database, "users", "delete", "zoe"])
            #expect(deleted.status == 0, "\(deleted.stderr)")
            #expect(
                deleted.stdout == """
                    deleted account \(id) (zoe)
                      Twitter identity 18446744073709551615 (@zoe_a) (no stored access token)
                      its password hash
                      0 registration drafts
                      0 pending Twitter authorizations

                    """)
            let show = try await runAccounts(["--database", database, "users", "show", "zoe"])
            #expect(show.status == 1)
            #expect(show.stderr == "accounts: error: no account 'zoe'\n")
            #expect(!(try await cliExport(database)).contains("zoe"))
            #expect(try await cliExport(database).split(separator: "\n").count == 6)

            // The deleted event carries the public id only (the rows: not the condition of the partial index of the
            // kinds that make a purge rebuild the file, migration 0018, which names the kind)
            let events = try databaseDump(database).split(separator: "\n").filter {
                $0.contains("deleted") && !$0.contains("kind IN (")
            }
            #expect(events.count == 1)
            #expect(events.first?.contains(id) == true)
            #expect(events.first.map { !$0.contains("zoe") && !$0.contains("Zoe@") } == true)

            // Deleting again, or someone unknown, changes nothing
            let dump = try databaseDump(database)
            let again = try await runAccounts(["--database", database, "users", "delete", id])
            #expect(again.status == 1)
            #expect(again.stderr == "accounts: error: no account \(id)\n")
            #expect(try databaseDump(database) == dump)
        }
    }

    /// Gives zoe and yamada a live browser session each, and zoe a live password reset link and an expired one (never
    /// used, not purged yet), which a disable ends without counting it.
    func giveSessionsAndALink(_ database: String) throws {
        try executeSQL(
            database,
            """
            INSERT INTO browser_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, idle_expires_at,
                expires_at)
            SELECT printf('%064d', id), id, 'csrf', 0, 0, 9000000000000000, 9000000000000000 FROM users
            WHERE username IN ('zoe', 'yamada');
            INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
            SELECT printf('%064d', 7), id, 0, 9000000000000000 FROM users WHERE username = 'zoe';
            INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)
            SELECT printf('%064d', 8), id, 0, 1 FROM users WHERE username = 'zoe';
            """)
    }

    static let liveSessionsOfZoe =
        "SELECT count(*) FROM browser_sessions WHERE user_id = (SELECT id FROM users WHERE username = 'zoe')"
    static let liveLinksOfZoe = """
        SELECT count(*) FROM password_resets WHERE expires_at > 8000000000000000
            AND user_id = (SELECT id FROM users WHERE username = 'zoe')
        """

    @Test func disableEndsTheSessionsAndResetLinksAndEnableDoesNotReviveThem() async throws {
        try await withTemporaryDirectory { dir in
            let database = try await fixtureDatabase(dir)
            try giveSessionsAndALink(database)
            let id = try await zoesPublicID(database)

            // When an operator disables zoe, saying why
            let disabled = try await runAccounts(
                ["--database", database, "users", "disable", "zoe", "--reason", "chargeback fraud, ticket 4711"])
            // Then her sessions and her reset link end, and nobody else's
            #expect(disabled.status == 0, "\(disabled.stderr)")
            #expect(
                disabled.stdout
                    == "disabled account \(id) (zoe): ended 1 browser session and 1 password reset link\n")
            #expect(countQuery(database, Self.liveSessionsOfZoe) == 0)
            #expect(countQuery(database, Self.liveLinksOfZoe) == 0)
            #expect(countQuery(database, "SELECT count(*) FROM browser_sessions") == 1)
            // And her account says so, with the reason in the audit trail
            let show = try await runAccounts(["--database", database, "users", "show", "zoe"])
            #expect(show.stdout.contains("status          disabled\n"), "\(show.stdout)")
            #expect(
                show.stdout.contains(
                    /disabled +cli +reason=chargeback fraud, ticket 4711 reset_links=1 sessions=1\n/),
                "\(show.stdout)")
            let json = try await runAccounts(["--database", database, "users", "show", "zoe", "--format", "json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let event = try #require((object["recent_events"] as? [[String: Any]])?.first)
            #expect(event["kind"] as? String == "disabled" && event["actor"] as? String == "cli")
            #expect(
                event["details"] as? [String: String]
                    == ["reason": "chargeback fraud, ticket 4711", "sessions": "1", "reset_links": "1"])

            // When she is disabled again
            let dump = try databaseDump(database)
            let again = try await runAccounts(["--database", database, "users", "disable", id])
            // Then nothing changes, and it says so
            #expect(again.status == 0 && again.stdout == "account \(id) (zoe) is already disabled; nothing changed\n")
            #expect(try databaseDump(database) == dump)

            // When she is enabled
            let enabled = try await runAccounts(["--database", database, "users", "enable", "zoe"])
            #expect(enabled.status == 0 && enabled.stdout == "enabled account \(id) (zoe)\n", "\(enabled.stderr)")
            // Then she is active, with an event, and her old link stays ended
            let active = try await runAccounts(["--database", database, "users", "show", "zoe", "--format", "json"])
            let after = try #require(try JSONSerialization.jsonObject(with: Data(active.stdout.utf8)) as? [String: Any])
            #expect(after["status"] as? String == "active")
            #expect((after["recent_events"] as? [[String: Any]])?.first?["kind"] as? String == "enabled")
            #expect(countQuery(database, Self.liveLinksOfZoe) == 0)
            let twice = try await runAccounts(["--database", database, "users", "enable", "zoe"])
            #expect(twice.status == 0 && twice.stdout == "account \(id) (zoe) is already enabled; nothing changed\n")
        }
    }

    @Test(arguments: [
        ("", "--reason is empty"), ("two\nlines", "--reason holds a control character"),
        ("fraud \u{202E}kcits", "--reason holds a control character"),
        ("two\u{2028}lines", "--reason holds a control character"),
        (String(repeating: "x", count: 201), "--reason is 201 characters long; at most 200"),
    ])
    func aBadReasonOrAnUnknownAccountChangesNothing(_ reason: String, _ message: String) async throws {
        try await withTemporaryDirectory { dir in
            let database = try await fixtureDatabase(dir)
            try giveSessionsAndALink(database)
            let dump = try databaseDump(database)
            let refused = try await runAccounts(["--database", database, "users", "disable", "zoe", "--reason", reason])
            #expect(refused.status == 64)
            #expect(refused.stderr.contains(message), "\(refused.stderr)")
            let unknown = try await runAccounts(["--database", database, "users", "disable", "nobody"])
            #expect(unknown.status == 1 && unknown.stderr == "accounts: error: no account 'nobody'\n")
            #expect(try databaseDump(database) == dump)
        }
    }
}
