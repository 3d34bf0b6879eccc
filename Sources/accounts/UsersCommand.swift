import AccountModel
import AccountStore
import AccountTransfer
import ArgumentParser
import DuplicateDetection
import Foundation
import TwitterOAuth

/// `accounts users show ID|USERNAME|EMAIL [--format table|json] | delete ID|USERNAME|EMAIL | disable ID|USERNAME|EMAIL [--reason TEXT]
/// | enable ID|USERNAME|EMAIL [--reason TEXT]`
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Show, delete, disable, enable or sign out one account (by public id, username or email address).",
        subcommands: [Show.self, Delete.self, Disable.self, Enable.self, SignOut.self]
    )

    func run() throws {
        try Accounts.missingSubcommand(UsersCommand.self)
    }

    /// `accounts users show ID|USERNAME|EMAIL [--format table|json]`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an account, its Twitter identity, whether it has a password, its last sign-in and its "
                + "recent audit events (never a secret).")

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("The account's public id, its username, or its email address.", valueName: "account"))
        var account: String

        @Option(name: .long, help: "Output format.")
        var format: OutputFormat = .table

        // `parsing: .unconditional`: `--events -1` is a value (refused below as negative), not an option `-1`.
        @Option(name: .long, parsing: .unconditional, help: "How many recent audit events to show (0 or more).")
        var events = 20

        func validate() throws {
            guard events >= 0 else { throw ValidationError("--events must be 0 or more, not \(events)") }
        }

        func run() async throws {
            let store = try global.openStore(keyRing: nil, readOnly: true)
            defer { try? store.close() }
            let overview: AccountOverview?
            do {
                overview = try await store.accountOverview(AccountReference(account), eventLimit: events)
            } catch {
                throw fail(error)
            }
            guard let overview else {
                let reference = AccountReference(account)
                let code = fail(StoreError.accountNotFound(reference.description))
                // An address no account holds may be kept for one while its undo link can give it back ("my address
                // was taken"): say which, so the operator can look at it.
                if case .email(let address) = reference,
                    let found = try? await store.emailChangeUndoReservation(of: address)
                {
                    let (holder, reserved) = found
                    printError(
                        ReportRenderer.terminalText(
                            "the address \(reserved.restores) is reserved for account \(holder.username) until "
                                + "\(UsersCommand.time(reserved.expiresAt) ?? "-"): a change of address moved it to "
                                + "\(reserved.replacedBy), and the undo link mailed to it gives it back (accounts "
                                + "users show \(holder.id))"))
                }
                throw code
            }
            switch format {
            case .json: printOutput(UsersCommand.json(overview) + "\n")
            case .table:
                let sessions: [BrowserSession]
                do {
                    sessions = try await store.browserSessions(of: overview.account.id)
                } catch {
                    throw fail(error)
                }
                printOutput(UsersCommand.table(overview, sessions: sessions))
            }
        }
    }

    /// `accounts users delete ID|USERNAME|EMAIL`
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an account with its Twitter identity, access token, password and pending registration "
                + "drafts, in one transaction; the audit trail keeps a `deleted` event with its public id only. Then "
                + "the drafts of Twitter sign-ins offered to link to it (sharing its mailbox) go too.")

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("The account's public id, its username, or its email address.", valueName: "account"))
        var account: String

        @Flag(
            name: .customLong("revoke-twitter-token"),
            help: ArgumentHelp(
                "Also revoke its stored Twitter access token, and those of the drafts offered to it, at Twitter once "
                    + "the account is deleted (needs the keys, "
                    + "and TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET in the environment)."))
        var revokeTwitterToken = false

        @Option(
            name: .customLong("twitter-api-base"),
            help: ArgumentHelp(
                "The Twitter API to revoke the token at (default https://api.x.com; a sandbox's URL in tests).",
                valueName: "url"))
        var twitterAPIBase: String?

        func validate() throws {
            if let twitterAPIBase {
                guard revokeTwitterToken else {
                    throw ValidationError("--twitter-api-base is for --revoke-twitter-token")
                }
                if let problem = DemoCommand.apiBaseProblem(twitterAPIBase, shownToBrowsers: false) {
                    throw ValidationError(problem)
                }
            }
            if revokeTwitterToken {
                let environment = ProcessInfo.processInfo.environment
                let missing = ["TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET"].filter {
                    (environment[$0] ?? "").isEmpty
                }
                if !missing.isEmpty {
                    throw ValidationError(
                        "--revoke-twitter-token needs \(missing.joined(separator: " and ")) set in the environment")
                }
            }
        }

        func run() async throws {
            let store = try global.openStore(keyRing: revokeTwitterToken ? try global.loadKeyRing() : nil)
            defer { try? store.close() }
            let reference = AccountReference(account)
            // Read before the identity goes, to be revoked once the account is gone.
            var credential: TwitterCredential?
            // The account as it was (its address, whether confirmed, when made), for the drafts a match with it was
            // offered from.
            let before: Account?
            do {
                before = try await store.account(reference)
            } catch {
                throw fail(error)
            }
            if revokeTwitterToken {
                do {
                    if let twitter = try await store.account(reference)?.twitter {
                        credential = try await store.credential(for: twitter.userID)
                    }
                } catch .secret(_, let reason) {
                    // Keys that cannot open the token (the one it was sealed with dropped): the input is at fault, and
                    // nothing is deleted, so that the token can still be revoked with the right keys.
                    printError("cannot revoke the Twitter token: \(reason); nothing deleted")
                    throw ExitCode(ExitStatus.invalidData)
                } catch {
                    throw fail(error)
                }
                // The same for the drafts the deletion removes or discards: each was its token's only stored copy.
                let problem: String?
                do {
                    problem = try await store.draftTokenProblem(of: reference)
                } catch {
                    throw fail(error)
                }
                if let problem {
                    printError("cannot revoke \(problem); nothing deleted")
                    throw ExitCode(ExitStatus.invalidData)
                }
            }
            let client =
                revokeTwitterToken
                ? DemoCommand.environmentConsumer().map { consumer in
                    TwitterClient(
                        consumer: consumer,
                        baseURL: twitterAPIBase.flatMap(DemoCommand.apiBase) ?? TwitterClient.defaultBaseURL,
                        timeout: .seconds(10))
                } : nil
            // Ctrl-C or SIGTERM from here on stops what waits for the write lock another process holds: the deletion
            // (nothing deleted, exit 128 + the signal's number) or, once the account is deleted, the drafts' deletion
            // (left to expire, said so); then the revocations at Twitter. Not a write under way (once begun, a write
            // runs to its end: `writeOffPool` checks the cancellation only before it) nor the report: the stored
            // tokens are gone, and what was not revoked or deleted is said.
            let outcome = try await runCancellingOnSignals(secondSignalEnds: false) { [store, credential] in
                // (a signal taken before this point: the write tried on the calling thread, when no other connection
                // holds the lock, does not check for it)
                if Task.isCancelled { throw UsersCommand.stoppedBeforeDeletion() }
                let deletion: AccountDeletion
                do throws(StoreError) {
                    deletion = try await store.deleteAccount(reference, actor: "cli")
                } catch StoreError.database(_, -1, "CancellationError") where Task.isCancelled {
                    // (cancelled as its write waited for the lock: nothing ran)
                    throw UsersCommand.stoppedBeforeDeletion()
                } catch {
                    throw fail(error)
                }
                // A Twitter sign-in that was offered to link this account (its profile's address shares the mailbox)
                // left a draft holding that profile and a working token: it goes too, as with the web's "Delete
                // account". A signal while this waits for the lock leaves them (the account is deleted all the same).
                // Any other failure here (the busy timeout, a newer `migrate` in between, an I/O error) leaves them
                // too: the deletion stands, its report is written, and the revocations still run.
                var offered: [(twitterUserID: TwitterUserID, credential: TwitterCredential?)] = []
                var draftsLeft = false
                var draftsFailure: String?
                if let before {
                    do throws(StoreError) {
                        offered = try await store.deleteDrafts(offeredTo: before)
                    } catch StoreError.database(_, -1, "CancellationError") where Task.isCancelled {
                        draftsLeft = true
                    } catch {
                        draftsFailure = error.commandLineDescription
                    }
                }
                let revocations = try await UsersCommand.revoke(
                    account: deletion.twitter != nil ? deletion.credential ?? credential : nil,
                    linkDrafts: deletion.draftCredentials, offered: offered, store: store, client: client)
                return (deletion, offered, draftsLeft, draftsFailure, revocations)
            }
            let (deletion, offered, draftsLeft, draftsFailure, revocations) = outcome
            var lines = ["deleted account \(deletion.id) (\(deletion.username))"]
            let revocationFailure = revocations.failure
            if let twitter = deletion.twitter {
                lines.append(
                    "  Twitter identity \(twitter.userID) (@\(ReportRenderer.terminalText(twitter.screenName)))"
                        + (deletion.removedCredential ? " and its stored access token" : " (no stored access token)"))
                if let line = revocations.accountLine { lines.append(line) }
            } else {
                lines.append("  no Twitter identity")
            }
            lines.append(deletion.hadPassword ? "  its password hash" : "  no password")
            lines.append(
                "  \(deletion.drafts) registration \(plural(deletion.drafts, "draft"))"
                    + (deletion.draftCredentials.isEmpty
                        ? "" : UsersCommand.revokedAtTwitterNote(revocations.linkDraftsRevoked)))
            lines.append(
                "  \(deletion.pendingAuthorizations) pending Twitter \(plural(deletion.pendingAuthorizations, "authorization"))"
            )
            if !offered.isEmpty {
                lines.append(
                    "  \(offered.count) registration \(plural(offered.count, "draft")) of a Twitter sign-in offered to "
                        + "link to it" + UsersCommand.revokedAtTwitterNote(revocations.offeredRevoked))
            }
            printCommittedOutput(lines.joined(separator: "\n") + "\n")
            if draftsLeft {
                printMessage(
                    "accounts: stopped by \(Interruption.name): the account is deleted (above), but not the drafts "
                        + "of Twitter sign-ins offered to link to it, if any (their deletion was waiting for the write "
                        + "lock another process held); `accounts purge` removes them once they expire"
                        // (the purge deletes a draft without revoking its token, and no command revokes it once the
                        // account is gone: said)
                        + (revokeTwitterToken
                            ? "; their Twitter access tokens were not revoked, and the purge does not revoke them "
                                + "(each person can revoke the app in Twitter's settings)" : ""))
            }
            if let draftsFailure {
                printMessage(
                    "accounts: warning: the account is deleted (above), but not the drafts of Twitter sign-ins offered "
                        + "to link to it, if any (\(draftsFailure)); `accounts purge` removes them once they expire"
                        + (revokeTwitterToken
                            ? "; their Twitter access tokens were not revoked, and the purge does not revoke them "
                                + "(each person can revoke the app in Twitter's settings)" : ""))
            }
            if let unchecked = revocations.unchecked {
                printMessage(
                    "accounts: warning: the account is deleted, but the Twitter access token of a draft it left was "
                        + "not revoked: \(unchecked); the person can revoke the app in Twitter's settings")
            }
            if let revocationFailure {
                printMessage(
                    "accounts: warning: the account is deleted, but Twitter did not revoke its access token or that "
                        + "of a draft offered to it (\(revocationFailure)); the person can revoke the app in Twitter's "
                        + "settings")
                throw ExitCode(ExitStatus.temporaryFailure)
            }
            if draftsLeft { throw Interruption.exitCode }
            if draftsFailure != nil || revocations.unchecked != nil { throw ExitCode(ExitStatus.temporaryFailure) }
        }
    }

    /// Says that a signal stopped `users delete` before anything was deleted, and returns its exit status.
    static func stoppedBeforeDeletion() -> ExitCode {
        printMessage("accounts: stopped by \(Interruption.name) before anything was deleted; nothing changed")
        return Interruption.exitCode
    }

    /// What `users delete --revoke-twitter-token` revoked at Twitter after its deletion committed.
    struct Revocations: Sendable {
        /// The line about the account's own token (`nil`: none to revoke, or no revocation asked for).
        var accountLine: String?
        /// The tokens of the account's link drafts, and of the drafts offered to it, revoked (`nil`: not asked for).
        var linkDraftsRevoked: Int?
        var offeredRevoked: Int?
        /// Why a token was not revoked (the first failure), `interrupted` for a signal.
        var failure: String?
        /// Why a draft's token was not sent to Twitter: whether its Twitter account is linked by now could not be read.
        var unchecked: String?
    }

    /// Revokes `account` (the deleted account's token), then the tokens of `linkDrafts` and `offered` (deleted)
    /// unless that Twitter account is linked by now (it may hold the same token), with `client` (none: nothing is
    /// revoked). Cancelled (a signal), what is left is not revoked, and said so.
    static func revoke(
        account: TwitterCredential?, linkDrafts: [TwitterUserID: TwitterCredential],
        offered: [(twitterUserID: TwitterUserID, credential: TwitterCredential?)], store: AccountStore,
        client: TwitterClient?
    ) async throws -> Revocations {
        var result = Revocations()
        guard let client else { return result }
        func failed(_ error: TwitterError) -> String {
            Task.isCancelled ? "interrupted before Twitter answered" : error.commandLineDescription(from: client)
        }
        if let account {
            do {
                try await client.invalidateToken(account.token, secret: account.secret.revealed)
                result.accountLine = "  its access token revoked at Twitter"
            } catch .rejected(_, let errors) where errors.contains(where: { $0.code == 89 }) {
                // 89 is also Twitter's answer to a consumer key that did not issue the token (another app's pair in
                // the environment): say what is known.
                result.accountLine =
                    "  its access token unknown to Twitter (revoked already, or issued to another consumer key than "
                    + "TWITTER_CONSUMER_KEY)"
            } catch {
                result.failure = failed(error)
                result.accountLine = "  its access token NOT revoked at Twitter (see the warning)"
            }
        }
        var counts: [Int] = []
        for drafts in [linkDrafts.map { (twitterUserID: $0.key, credential: Optional($0.value)) }, offered] {
            var revoked = 0
            var seen: Set<TwitterUserID> = []
            for draft in drafts where seen.insert(draft.twitterUserID).inserted {
                guard let token = draft.credential else { continue }
                let linked: UserID?
                do {
                    linked = try store.accountID(twitterUserID: draft.twitterUserID)
                } catch {
                    // Whether that Twitter account is linked by now (and may hold the same token) is not known: not
                    // revoked, and said so; the account is deleted all the same.
                    result.unchecked =
                        result.unchecked
                        ?? "could not tell whether Twitter user \(draft.twitterUserID) is linked to an account by now "
                        + "(\(error.commandLineDescription))"
                    continue
                }
                guard linked == nil else { continue }
                do {
                    try await client.invalidateToken(token.token, secret: token.secret.revealed)
                    revoked += 1
                } catch .rejected(_, let errors) where errors.contains(where: { $0.code == 89 }) {
                    // revoked already (or another consumer key's): nothing left to do
                } catch {
                    result.failure = result.failure ?? failed(error)
                }
            }
            counts.append(revoked)
        }
        result.linkDraftsRevoked = counts[0]
        result.offeredRevoked = counts[1]
        return result
    }

    /// " (N tokens revoked at Twitter)", or nothing when no revocation was asked for (`nil`).
    static func revokedAtTwitterNote(_ count: Int?) -> String {
        count.map { " (\($0) \(plural($0, "token")) revoked at Twitter)" } ?? ""
    }

    /// `accounts users disable ID|USERNAME|EMAIL [--reason TEXT]`
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable an account: it can no longer sign in (with its password or through Twitter), its "
                + "browser sessions and password reset links end, and the audit trail records a `disabled` event.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: StatusTarget

        func run() async throws {
            let change = try await UsersCommand.setStatus(.disabled, of: target, global: global)
            let account = change.account
            guard change.changed else {
                printOutput("account \(account.id) (\(account.username)) is already disabled; nothing changed\n")
                return
            }
            printCommittedOutput(
                "disabled account \(account.id) (\(account.username)): ended \(change.sessionsEnded) browser "
                    + "\(plural(change.sessionsEnded, "session")) and \(change.resetLinksEnded) password reset "
                    + "\(plural(change.resetLinksEnded, "link"))\n")
        }
    }

    /// `accounts users enable ID|USERNAME|EMAIL [--reason TEXT]`
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled account again; the audit trail records an `enabled` event. Its old sessions "
                + "and reset links stay ended.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: StatusTarget

        func run() async throws {
            let change = try await UsersCommand.setStatus(.active, of: target, global: global)
            let account = change.account
            (change.changed ? printCommittedOutput : printOutput)(
                change.changed
                    ? "enabled account \(account.id) (\(account.username))\n"
                    : "account \(account.id) (\(account.username)) is already enabled; nothing changed\n")
        }
    }

    /// `accounts users sign-out ID|USERNAME|EMAIL`
    struct SignOut: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sign-out",
            abstract: "End every browser session of an account (\"sign out everywhere\", for a person who cannot: a "
                + "lost phone, a stolen session); the audit trail records a `sessions_revoked` event by `cli`. The "
                + "account can sign in again.")

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("The account's public id, its username, or its email address.", valueName: "account"))
        var account: String

        func run() async throws {
            let store = try global.openStore(keyRing: nil)
            defer { try? store.close() }
            let reference = AccountReference(account)
            let found: Account
            let ended: Int
            do throws(StoreError) {
                guard let account = try await store.account(reference) else {
                    throw StoreError.accountNotFound(reference.description)
                }
                found = account
                ended = try await store.deleteBrowserSessions(of: account.id, actor: "cli")
            } catch {
                throw fail(error)
            }
            printCommittedOutput(
                "signed out account \(found.id) (\(ReportRenderer.terminalText(found.username))): ended \(ended) "
                    + "browser \(plural(ended, "session"))\n")
        }
    }

    /// Refuses a `--reason` that is empty, longer than 200 characters, or holds a control character (a line break
    /// included) or a bidirectional control (which would reorder the audit table's text on a terminal), naming the
    /// option.
    static func validateReason(_ reason: String?) throws {
        guard let reason else { return }
        if reason.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--reason is empty: say why, or leave the option out")
        }
        if reason.count > 200 { throw ValidationError("--reason is \(reason.count) characters long; at most 200") }
        let breaking: Set<Unicode.GeneralCategory> = [.control, .lineSeparator, .paragraphSeparator]
        if reason.unicodeScalars.contains(where: {
            breaking.contains($0.properties.generalCategory) || $0.properties.isBidiControl
        }) {
            throw ValidationError(
                "--reason holds a control character (a line break, or one that reorders text): one line of plain text")
        }
    }

    /// What `disable` and `enable` take: the account, and why.
    struct StatusTarget: ParsableArguments {
        @Argument(
            help: ArgumentHelp("The account's public id, its username, or its email address.", valueName: "account"))
        var account: String

        @Option(
            help: ArgumentHelp("Why, kept in the audit event (one line, at most 200 characters).", valueName: "text"))
        var reason: String?

        func validate() throws {
            try UsersCommand.validateReason(reason)
        }
    }

    static func setStatus(
        _ status: AccountStatus, of target: StatusTarget, global: GlobalOptions
    ) async throws -> AccountStatusChange {
        let (account, reason) = (target.account, target.reason)
        let store = try global.openStore(keyRing: nil)
        defer { try? store.close() }
        do {
            return try await store.setAccountStatus(
                AccountReference(account), to: status, reason: reason, actor: "cli")
        } catch {
            throw fail(error)
        }
    }

    // MARK: - Rendering

    /// UTC time text as the account files write it (fractional seconds only when not zero).
    static func time(_ date: Date?) -> String? {
        AccountOverview.time(date)
    }

    static func json(_ overview: AccountOverview) -> String {
        // (the operator's alone: "Download your data" does not list them, a thief holding the account would learn
        // that a way back is open, and until when)
        let undos = overview.emailChangeUndos.map { undo in
            "{\"restores\": \(JSONString.literal(undo.restores)), "
                + "\"replaced_by\": \(JSONString.literal(undo.replacedBy)), "
                + "\"changed_at\": \(JSONString.literal(time(undo.changedAt) ?? "")), "
                + "\"expires_at\": \(JSONString.literal(time(undo.expiresAt) ?? ""))}"
        }
        return overview.json(appending: [(key: "email_change_undos", json: "[\(undos.joined(separator: ", "))]")])
    }

    /// The table of `users show`. Every value is shown as the duplicate report's table shows it (control characters
    /// and direction overrides as `?`): a name from Twitter, or an event kind or detail written by another program,
    /// could otherwise move the cursor or reorder the terminal's text.
    static func table(_ overview: AccountOverview, sessions: [BrowserSession] = []) -> String {
        let account = overview.account
        let name = [account.firstName, account.lastName].compactMap { $0 }.joined(separator: " ")
        var rows: [(String, String)] = [
            ("id", account.id.rawValue),
            ("username", account.username),
            (
                "email",
                account.email.map { $0 + (account.isEmailVerified ? " (confirmed)" : " (not confirmed)") } ?? "-"
            ),
            ("name", name.isEmpty ? "-" : name),
            ("status", account.status.rawValue),
            ("password", account.hasPassword ? "yes" : "no"),
            ("created", time(account.createdAt) ?? "-"),
            ("updated", time(account.updatedAt) ?? "-"),
            ("last sign-in", time(account.lastSignInAt) ?? "never"),
        ]
        if let identity = account.twitter {
            rows.append(("twitter", "@\(identity.screenName) (\(identity.name)), id \(identity.userID)"))
            rows.append(("  linked", time(identity.linkedAt) ?? "-"))
            rows.append(("  last seen", time(identity.lastSeenAt) ?? "-"))
            rows.append(("  access token", overview.hasTwitterCredential ? "stored" : "none"))
        } else {
            rows.append(("twitter", "not linked"))
        }
        // An address a change moved the account off stays reserved for it while the undo link can give it back.
        if overview.emailChangeUndos.isEmpty { rows.append(("email undo", "none")) }
        for undo in overview.emailChangeUndos {
            rows.append(
                (
                    "email undo",
                    "\(undo.restores) reserved until \(time(undo.expiresAt) ?? "-") (moved to \(undo.replacedBy) at "
                        + "\(time(undo.changedAt) ?? "-"); the undo link mailed to it gives it back)"
                ))
        }
        rows.append(("sessions", sessions.isEmpty ? "none" : "\(sessions.count) live (most recently used first)"))
        for session in sessions {
            rows.append(
                (
                    "  " + (session.device ?? "Unknown browser"),
                    "signed in \(time(session.createdAt) ?? "-"), last active \(time(session.lastSeenAt) ?? "-")"
                ))
        }
        let width = rows.map(\.0.count).max() ?? 0
        var output =
            rows.map {
                ReportRenderer.terminalText($0.0).padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + ReportRenderer.terminalText($0.1)
            }
            .joined(separator: "\n") + "\n"
        output += "\nrecent events (newest first):\n"
        if overview.recentEvents.isEmpty {
            output += "  none\n"
        } else {
            var table = [["TIME", "EVENT", "ACTOR", "DETAILS"]]
            for event in overview.recentEvents {
                let details = event.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    .joined(separator: " ")
                table.append(
                    [time(event.occurredAt) ?? "-", event.kind.rawValue, event.actor, details].map(
                        ReportRenderer.terminalText))
            }
            output += TextTable.render(table).split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
        }
        return output
    }
}
