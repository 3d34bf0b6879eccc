import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import TestSupport
import Testing

/// Every problem of a refused line is listed at once (README, "Import rules").
struct ImportProblemListingTests {
    /// README: "Every problem of a line is listed". An address that keeps no mailbox name once the provider's dots and
    /// `+tag` are removed is checked only when the rest of the line is valid: on a line refused for another field it
    /// is not named, and shows up only on the next run, once that field is fixed.
    @Test(arguments: [TransferFormat.jsonl, .csv])
    func aMailboxlessAddressIsNamedOnALineRefusedForAnotherField(format: TransferFormat) async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, now: TestClock().closure)
            defer { try? store.close() }
            let text =
                format == .jsonl
                ? "{\"username\": \"ann\", \"email\": \"+news@gmail.com\", \"first_name\": \"A\\u0007nn\"}\n"
                : "username,email,first_name,last_name,created_at,twitter_id,twitter_screen_name,twitter_name\n"
                    + "ann,+news@gmail.com,\"A\u{7}nn\",,,,,\n"
            let line = format == .jsonl ? 1 : 2
            let (report, problems) = try importText(text, format: format, into: store, directory: dir)
            #expect(report.invalid == 1 && !report.committed)
            #expect(problems.contains("line \(line): first_name: must not contain control characters"), "\(problems)")
            #expect(
                problems.contains(
                    "line \(line): email: has no mailbox name once the provider's dots and +tag are removed"),
                "\(problems)")
        }
    }
}
