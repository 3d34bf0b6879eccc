import AccountModel
import AccountStore
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
}
