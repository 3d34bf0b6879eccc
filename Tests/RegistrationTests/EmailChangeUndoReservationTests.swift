import AccountModel
import AccountStore
import AccountTransfer
import Foundation
import Registration
import TestSupport
import Testing

/// The address a change moved an account off stays reserved for it while the change's undo link can still give it
/// back: against a real SQLite file.
struct EmailChangeUndoReservationTests {
    static let password = EmailChangeUndoTests.password
    static let newPassword = EmailChangeUndoTests.newPassword

    /// The field problems `body` was refused with, or `nil` when it was not refused that way.
    static func problems(_ body: () async throws(LocalAccountError) -> Void) async -> [FieldError]? {
        do {
            try await body()
            return nil
        } catch {
            guard case .invalid(let problems) = error else { return nil }
            return problems
        }
    }

    /// An operator who learns of a takeover disables the account while it is sorted out, then enables it again so its
    /// owner can follow the undo link (which works again once the account is active, until it expires). The address
    /// must stay reserved meanwhile: else whoever moved the account signs the freed address up while it is disabled,
    /// and the owner's link is refused for good ("… belongs to another account now").
    @Test func disablingTheAccountDoesNotFreeTheAddressItsUndoLinkRestores() async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, store, _, _, ann, undo in
            // Given the operator disabling ann's account after the change
            _ = try await store.setAccountStatus(.id(ann.id), to: .disabled, reason: "takeover reported")
            // When whoever moved the address signs it up for another account meanwhile
            let refused = await Self.problems { () async throws(LocalAccountError) in
                _ = try await local.signUp(
                    SignUpForm(username: "squatter", email: "ann@example.org", password: Secret("the squatter's own")))
            }
            // Then it is refused, as while the account is active
            #expect(refused?.map(\.field) == [.email], "a sign-up took the reserved address of a disabled account")
            // And once the operator enables the account again, the owner's link gives it back
            _ = try await store.setAccountStatus(.id(ann.id), to: .active, reason: "owner verified")
            let undone = await Self.problems { () async throws(LocalAccountError) in
                _ = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            }
            #expect(undone == nil, "the undo was refused: \(undone.map { "\($0)" } ?? "")")
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
        }
    }

    /// A sign-up with an address reserved for an undo must read as one with any taken address: a different answer
    /// tells anyone who tries that the address was moved off an account within the week and not given back yet (a
    /// takeover in progress, and whether its owner has noticed).
    @Test func aSignUpWithAReservedAddressIsAnsweredAsOneWithATakenAddress() async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, _, _, _, _, _ in
            // Given an address an account holds (the one ann's account was moved to)
            let held = await Self.problems { () async throws(LocalAccountError) in
                _ = try await local.signUp(
                    SignUpForm(username: "first", email: "thief@example.net", password: Secret("someone else's one")))
            }
            // And the address reserved for ann's undo link
            let reserved = await Self.problems { () async throws(LocalAccountError) in
                _ = try await local.signUp(
                    SignUpForm(username: "second", email: "ann@example.org", password: Secret("someone else's one")))
            }
            // Then both are refused for the email, in the same words
            #expect(held?.map(\.field) == [.email] && reserved?.map(\.field) == [.email])
            #expect(
                held == reserved,
                "held: \(held?.map(\.problem) ?? []), reserved: \(reserved?.map(\.problem) ?? [])")
        }
    }

    /// An operator's import meets the address reserved for an undo link as it meets a taken one: the line is refused
    /// naming the address and why (with `skipInvalid`, skipped while the others are imported), so the owner's link
    /// still gives the address back instead of being refused for good ("… belongs to another account now").
    @Test func anImportIsRefusedAnAddressReservedForAnUndoLink() async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, store, _, database, ann, undo in
            let directory = URL(fileURLWithPath: database).deletingLastPathComponent().path
            // Given a file whose second line holds the reserved address, in other letters' case
            let lines = """
                {"username": "other", "email": "other@example.org"}
                {"username": "squatter", "email": "ann@EXAMPLE.org"}

                """
            let dump = try databaseDump(database)
            // When it is imported, all or nothing
            let refused = try importText(lines, format: .jsonl, into: store, directory: directory)
            // Then the line is refused, naming the address and that it is reserved, and nothing is written
            #expect(!refused.report.committed && refused.report.invalid == 1, "\(refused.report)")
            #expect(refused.problems.count == 1, "\(refused.problems)")
            #expect(
                refused.problems.first?.hasPrefix(
                    "line 2: email: 'ann@EXAMPLE.org' is reserved for an account already in the store until ") == true,
                "\(refused.problems)")
            #expect(try databaseDump(database) == dump)
            // When it is imported skipping invalid lines
            let skipped = try importText(lines, format: .jsonl, into: store, directory: directory, skipInvalid: true)
            // Then the other line is imported and the reserved one skipped, with the same problem
            #expect(skipped.report.imported == 1 && skipped.problems == refused.problems, "\(skipped.problems)")
            #expect(try await store.account(.username("squatter")) == nil)
            #expect(try await store.account(.username("other")) != nil)
            // And the owner's link still gives the address back
            let undone = await Self.problems { () async throws(LocalAccountError) in
                _ = try await local.undoEmailChange(token: undo.token, newPassword: Self.newPassword)
            }
            #expect(undone == nil, "the undo was refused: \(undone.map { "\($0)" } ?? "")")
            #expect(try await store.account(.id(ann.id))?.email == "Ann@Example.org")
        }
    }

    /// A link and the reservation it holds end together, at its expiry to the microsecond: a second before, the link
    /// works and a sign-up with the address is refused; at the expiry, the link no longer works and the address is
    /// free (so a reservation never outlives the link that gives the address back, nor ends before it).
    @Test func theReservationEndsExactlyWhenTheLinkStopsWorking() async throws {
        try await EmailChangeUndoTests().withAnnMoved { local, _, clock, _, _, undo in
            // Given the clock a second before the link's expiry
            clock.advance(by: undo.expiresAt.timeIntervalSince(clock.now) - 1)
            let before = try await local.emailChangeUndoTarget(token: undo.token)
            #expect(before != nil)
            let early = await Self.problems { () async throws(LocalAccountError) in
                _ = try await local.signUp(
                    SignUpForm(username: "early", email: "ann@example.org", password: Secret("someone else's one")))
            }
            #expect(early?.map(\.field) == [.email])
            // When it reaches the expiry
            clock.advance(by: 1)
            #expect(abs(clock.now.timeIntervalSince(undo.expiresAt)) < 0.000_001)
            // Then the link no longer works, and the address is free
            let after = try await local.emailChangeUndoTarget(token: undo.token)
            #expect(after == nil)
            let onTime = await Self.problems { () async throws(LocalAccountError) in
                _ = try await local.signUp(
                    SignUpForm(username: "ontime", email: "ann@example.org", password: Secret("someone else's one")))
            }
            #expect(onTime == nil, "\(onTime.map { "\($0)" } ?? "")")
        }
    }
}
