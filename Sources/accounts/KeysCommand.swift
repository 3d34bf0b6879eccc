import AccountCrypto
import AccountStore
import ArgumentParser
import Foundation
import Synchronization

/// `accounts keys generate|status|rewrap`
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make encryption keys, see which keys seal the stored secrets, and move them to the newest key.",
        subcommands: [Generate.self, Status.self, Rewrap.self]
    )

    func run() throws {
        try Accounts.missingSubcommand(KeysCommand.self)
    }

    /// `accounts keys generate [--id ID] [--output FILE]`
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new 32-byte key: prints one id:base64 line, or writes it to a new 0600 file.",
            discussion: """
                To rotate: put the new line first in the keys file (or ACCOUNTS_KEYS), keep the old ones after it, \
                then run `accounts keys rewrap`. Needs no database.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "The key id (default: k<UTC date>-<random>).")
        var id: String?

        @Option(name: .long, help: ArgumentHelp("Write the key to this new file (mode 0600).", valueName: "file"))
        var output: String?

        /// `--output`, or `nil` for standard output (none given, or `-`).
        var destination: String? { output == "-" ? nil : output }

        func validate() throws {
            // (here rather than in `run()`, so that the usage shown with the error is this command's)
            if let id {
                do {
                    _ = try SecretKey.generate(id: id)
                } catch .invalidKeyID(_, problem: .looksLikeKeyMaterial, location: _) {
                    // (the library's advice is for keys file entries: here a name was asked for; the value not shown)
                    throw ValidationError(
                        "--id looks like a key (base64 of 32 bytes), not a name: give a short name such as k2026a")
                } catch {
                    throw ValidationError("--id: \(error.description)")
                }
            }
            if output?.isEmpty == true {
                throw ValidationError("--output is empty (an unset shell variable?): give a file, or - for stdout")
            }
            if let destination {
                // (as the other commands' `--output` says it, exit 64: not "it already exists (keys are never
                // overwritten)", exit 1, as if a key were there to keep)
                var isDirectory: ObjCBool = false
                if destination.hasSuffix("/")
                    || (FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory)
                        && isDirectory.boolValue)
                {
                    throw ValidationError("--output \(destination) is a directory; name a file")
                }
            } else {
                try GlobalOptions.validateStandardOutput()
            }
        }

        func run() throws {
            let keyID = id ?? Generate.defaultID()
            let key: SecretKey
            do {
                key = try SecretKey.generate(id: keyID)
            } catch {
                throw ValidationError("--id: \(error.description)")
            }
            let line = key.unredactedKeysFileLine() + "\n"
            guard let destination else {
                printOutput(line)
                return
            }
            if let reason = createPrivateFile(atPath: destination, contents: line) {
                printError("cannot write \(destination): \(reason)")
                throw ExitCode(ExitStatus.operationalFailure)
            }
            printMessage("wrote key \(KeyRingError.shownPlain(keyID)) to \(destination) (mode 0600)")
        }

        static func defaultID() -> String {
            let date = Date().formatted(.iso8601.year().month().day().dateSeparator(.omitted))
            let suffix = SecureRandom.bytes(count: 3).map { String(format: "%02x", $0) }.joined()
            return "k\(date)-\(suffix)"
        }
    }

    /// `accounts keys status [--format table|json]`
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count sealed values under each key id, per kind, and flag ids that are not in the key ring.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Output format.")
        var format: OutputFormat = .table

        func run() async throws {
            let keyRing = try global.optionalKeyRing()
            let store = try global.openStore(keyRing: keyRing, readOnly: true)
            defer { try? store.close() }
            let counts: [SealedValueCount]
            do {
                counts = try await store.sealedValueCounts()
            } catch {
                throw fail(error)
            }
            var rows = counts
            if let keyRing, !rows.contains(where: { keyRing.isSealingKeyID($0.keyID) }) {
                rows.insert(
                    SealedValueCount(keyID: keyRing.sealingKeyID, credentials: 0, pendingAuthorizations: 0, drafts: 0),
                    at: 0)
            }
            switch format {
            case .json:
                let items = rows.map { count in
                    let inRing = keyRing.map { $0.holdsKey(withID: count.keyID) ? "true" : "false" } ?? "null"
                    let sealing = keyRing.map { $0.isSealingKeyID(count.keyID) ? "true" : "false" } ?? "null"
                    return "{\"key_id\": \(JSONText.string(count.keyID)), \"in_ring\": \(inRing), "
                        + "\"sealing\": \(sealing), \"credentials\": \(count.credentials), "
                        + "\"pending_authorizations\": \(count.pendingAuthorizations), \"drafts\": \(count.drafts)}"
                }
                printOutput("[" + items.joined(separator: ", ") + "]\n")
            case .table:
                var table = [["KEY ID", "IN RING", "CREDENTIALS", "PENDING", "DRAFTS", "TOTAL"]]
                for count in rows {
                    let ring: String
                    if let keyRing {
                        ring =
                            keyRing.isSealingKeyID(count.keyID)
                            ? "first (seals)" : keyRing.holdsKey(withID: count.keyID) ? "yes" : "NO - cannot open"
                    } else {
                        ring = "(no keys configured)"
                    }
                    table.append([
                        // An id that may hold key material is described, not shown (the JSON keeps ids exact); one
                        // with anything but printable ASCII (another program wrote it: terminal controls, look-alikes)
                        // is spelt out, as `keys rewrap` spells it.
                        count.keyID.unicodeScalars.allSatisfy { (0x20...0x7e).contains($0.value) }
                            ? KeyRingError.shownPlain(count.keyID) : KeyRingError.shownEscaped(count.keyID),
                        ring, String(count.credentials),
                        String(count.pendingAuthorizations),
                        String(count.drafts), String(count.total),
                    ])
                }
                printOutput(TextTable.render(table))
            }
        }
    }

    /// `accounts keys rewrap`
    struct Rewrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal every stored secret under the key ring's first key, in batches; resumable.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, parsing: .unconditional, help: "Values re-sealed per transaction.")
        var batchSize = 500

        func validate() throws {
            guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1, not \(batchSize)") }
        }

        func run() async throws {
            let keyRing = try global.loadKeyRing()
            let store = try global.openStore(keyRing: keyRing)
            defer { try? store.close() }
            let progress = Progress(label: "rewrap")
            let batchSize = batchSize
            let report: RewrapReport
            // (the values moved so far, as each committed batch reports them: a run that fails says what moved)
            let moved = Atomic<Int>(0)
            do {
                // Ctrl-C or SIGTERM stops the run before its next batch: the batches committed stay, and are reported
                // below. A second signal only cancels again (the run ends within a batch), so that the report comes.
                report = try await runCancellingOnSignals(secondSignalEnds: false) {
                    try await store.rewrapSealedValues(batchSize: batchSize) { done, total in
                        moved.store(done, ordering: .relaxed)
                        progress.update(done, of: total)
                    }
                }
            } catch StoreError.rewrapCancelled(let keyID, let rewrapped) {
                progress.finish()
                let key = KeyRingError.shownPlain(keyID)
                printMessage(
                    "accounts: stopped by \(Interruption.name) between two batches: \(rewrapped) values were "
                        + "rewrapped under key \(key) (committed); this run changed no other, and every value opens "
                        + "with the key ring. Run `accounts keys rewrap` again to finish (it goes "
                        + "on from where this run stopped), and keep the old keys in the ring until `accounts keys "
                        + "status` shows no value under another key than \(key)")
                throw Interruption.exitCode
            } catch let error as StoreError {
                progress.finish()
                let exit = fail(error)
                // Batches committed before the failure stay (a full disk, a value that does not open): said, with
                // what to do, as when a signal stops the run. (Until session 63 only the error was shown, whose
                // "nothing of the failed change was kept" read as nothing moved.)
                let done = moved.load(ordering: .relaxed)
                if done > 0 {
                    let key = KeyRingError.shownPlain(keyRing.sealingKeyID)
                    // (a value that does not open is not "every value opens": said only of the other failures)
                    let opens: String
                    if case .secret = error {
                        opens = ""
                    } else {
                        opens = ", and every value opens with the key ring"
                    }
                    // (not "the others are still under the keys they were": another process sealing meanwhile may
                    // have moved any of them, these included; `keys status` counts what is where)
                    printMessage(
                        "accounts: \(done) values were rewrapped under key \(key) before the failure (committed); "
                            + "this run changed no other\(opens). `accounts keys status` shows which key each value "
                            + "is under now. Keep the old keys in the ring, fix the failure and run `accounts keys "
                            + "rewrap` again to finish")
                }
                throw exit
            }
            progress.finish()
            // (values moved are committed: a report stdout does not take goes to stderr, exit 75, not 1)
            (report.rewrapped > 0 ? printCommittedOutput : printOutput)(
                "rewrapped \(report.rewrapped) values under key \(KeyRingError.shownPlain(report.keyID)) in "
                    + "\(report.batches) batches\n")
        }
    }
}
