import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import TestSupport
import Testing

/// `createAccount(NewAccount)` keeps names and times by the rules import and registration apply, so that what the
/// store holds exports to a file that imports again: names trimmed (an empty one is none), a name with a control
/// character or over 100 characters refused naming its field, a creation time outside the years 0001–9999 refused.
struct NewAccountRulesTests {
    @Test(arguments: [TransferFormat.jsonl, .csv])
    func namesAreTrimmedAndTheExportImportsAgainByteForByte(format: TransferFormat) async throws {
        try await withTemporaryDirectory { dir in
            let first = try makeStore(in: dir, name: "a.sqlite", now: TestClock().closure)
            defer { try? first.close() }
            let names: [(String?, String?)] = [(" Ann ", ""), ("\u{3000}Zoë\t", "Ångström\u{00A0}"), (nil, "  ")]
            var stored: [(String?, String?)] = []
            for (index, (firstName, lastName)) in names.enumerated() {
                let account = try await first.createAccount(
                    NewAccount(
                        username: try Username(validating: "user\(index)"), firstName: firstName, lastName: lastName))
                stored.append((account.firstName, account.lastName))
            }
            #expect(stored.map(\.0) == ["Ann", "Zoë", nil])
            #expect(stored.map(\.1) == [nil, "Ångström", nil])
            let exported = try exportText(first, format: format, directory: dir)
            let second = try makeStore(in: dir, name: "b.sqlite", now: TestClock().closure)
            defer { try? second.close() }
            let (report, problems) = try importText(exported, format: format, into: second, directory: dir)
            #expect(problems == [])
            #expect(report.imported == names.count)
            #expect(textDigest(try exportText(second, format: format, directory: dir)) == textDigest(exported))
        }
    }

    @Test func aNameImportWouldRefuseIsRefusedNamingItsFieldAndNothingIsWritten() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, now: TestClock().closure)
            defer { try? store.close() }
            let cases: [(NewAccount, StoreError)] = [
                (
                    NewAccount(username: try Username(validating: "bob"), firstName: "Bob\nBobby"),
                    .invalid([FieldError(.firstName, "must not contain control characters")])
                ),
                (
                    NewAccount(
                        username: try Username(validating: "cy"), firstName: String(repeating: "c", count: 101),
                        lastName: "Lee\u{0}"),
                    .invalid([
                        FieldError(.firstName, "must be at most 100 characters"),
                        FieldError(.lastName, "must not contain a NUL character"),
                    ])
                ),
                (
                    NewAccount(
                        username: try Username(validating: "dee"),
                        createdAt: Date(timeIntervalSince1970: 253_402_300_800)),
                    .invalid([FieldError(.createdAt, "must lie in the years 0001–9999")])
                ),
                (
                    NewAccount(username: try Username(validating: "eve"), createdAt: Date(timeIntervalSince1970: .nan)),
                    .invalid([FieldError(.createdAt, "must lie in the years 0001–9999")])
                ),
            ]
            for (new, expected) in cases {
                await #expect(throws: expected) { _ = try await store.createAccount(new) }
            }
            #expect(try await store.accountCount() == 0)
            #expect(try await store.recentEvents().isEmpty)
            // The first and last instants of the range are kept.
            let earliest = try await store.createAccount(
                NewAccount(
                    username: try Username(validating: "old"), createdAt: Date(timeIntervalSince1970: -62_135_596_800)))
            #expect(earliest.createdAt == Date(timeIntervalSince1970: -62_135_596_800))
        }
    }

    /// Every field at fault is named at once: an address with no mailbox name beside a bad name, and a Twitter
    /// identity's problems beside the account's (until session 60 the address, or the account's fields, were named
    /// only once the others were put right). Nothing is written.
    @Test func everyFieldAtFaultIsNamedAtOnce() async throws {
        try await withTemporaryDirectory { dir in
            let store = try makeStore(in: dir, now: TestClock().closure)
            defer { try? store.close() }
            let new = NewAccount(
                username: try Username(validating: "ann"), email: try EmailAddress(validating: "+news@gmail.com"),
                firstName: "A\u{7}")
            let alone = await #expect(throws: StoreError.self) { try await store.createAccount(new) }
            guard case .invalid(let problems) = alone else {
                Issue.record("\(String(describing: alone))")
                return
            }
            #expect(Set(problems.map(\.field)) == [.email, .firstName], "\(problems)")

            var identity = twitterIdentity("77", screenName: "ann")
            identity.screenName = "  "
            let linking = await #expect(throws: StoreError.self) {
                try await store.createAccount(
                    new, linking: identity, credential: TwitterCredential(token: "77-t", secret: Secret("77-s")))
            }
            guard case .invalid(let all) = linking else {
                Issue.record("\(String(describing: linking))")
                return
            }
            #expect(Set(all.map(\.field)) == [.email, .firstName, .screenName], "\(all)")
            #expect(try await store.accountCount() == 0)
        }
    }
}
