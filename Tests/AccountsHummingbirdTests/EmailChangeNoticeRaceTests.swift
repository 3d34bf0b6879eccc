import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing

extension EmailVerificationRoutesTests {
    /// Whether the old address is told is decided on the state the change is made against, not on a look taken before
    /// it: a confirmation of the old address that lands between "Confirm" reading the change link and making the
    /// change does not let the address move without its notice ("the address never moves without its notice"), nor
    /// without the link that undoes the change, which the notice carries: `notifyChange`'s, or with security notices
    /// alone, the `emailChanged` one.
    @Test(arguments: [false, true])
    func aChangeRacingTheConfirmationOfTheOldAddressStillTellsIt(securityNoticesAlone: Bool) async throws {
        let outbox = Locked<[AccountRoutes.EmailVerificationMail]>([])
        let notices = Locked<[(to: String, undoLink: Secret?)]>([])
        var configuration = Self.configuration(outbox)
        if securityNoticesAlone {
            configuration.securityNotice = { notice in
                if notice.change == .emailChanged { notices.withLock { $0.append((notice.to, notice.undoLink)) } }
            }
        } else {
            configuration.emailVerification?.notifyChange = { notice in
                notices.withLock { $0.append((notice.to, notice.undoLink)) }
            }
        }
        try await WebApp.run(configuration: configuration) { app in
            // Given ada, her address not confirmed yet, a change link to ada@new.example open (whoever asked for it)
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            _ = try await Self.mails(outbox, count: 1)
            let asked = try await ada.submit(
                "/account", to: "/account/email",
                [("new_email", "ada@new.example"), ("current_password", Self.password)])
            #expect(asked.location == "/account?notice=email_change_sent")
            let change = try await Self.mails(outbox, count: 2)[1]
            #expect(change.changesAddress)
            // And a new confirmation link for her own address (it leaves the change under way alone)
            let resent = try await ada.submit("/account", to: "/account/email/confirm", [])
            #expect(resent.location == "/account?notice=confirmation_sent")
            let confirmation = try await Self.mails(outbox, count: 3)[2]
            #expect(!confirmation.changesAddress && confirmation.to == "ada@example.org")
            await app.routes.finishMails()
            var other = app.browser()
            let changePage = try await other.get(try Self.path(of: change))
            let confirmationPage = try await ada.get(try Self.path(of: confirmation))

            // When, while another connection holds the write lock, ada confirms her address first and the change
            // link is confirmed right after (each has read what it reads once its write waits; the change's waits
            // behind hers)
            let lock = try WriteLockHolder(path: app.databasePath)
            let owner = Task { [ada] in
                var browser = ada
                return try await Self.confirm(confirmationPage, in: &browser)
            }
            try #require(try await writesReached(1, in: app.store), "the confirmation never wrote")
            let intruder = Task { [other] in
                var browser = other
                return try await Self.confirm(changePage, in: &browser)
            }
            try #require(try await writesReached(2, in: app.store), "the change never wrote")
            try lock.release()
            let confirmed = try await owner.value
            let changed = try await intruder.value
            // (the interleaving under test: her address was confirmed, then changed)
            try #require(confirmed.location == "/account?notice=email_confirmed", "\(confirmed.status)")
            try #require(changed.location == "/?notice=email_changed", "\(changed.status)")
            #expect(try await app.store.account(.username("ada"))?.email == "ada@new.example")
            // Then the address she had just confirmed was told of the change, with the link that undoes it
            await app.routes.finishMails()
            #expect(notices.value.map(\.to) == ["ada@example.org"], "a confirmed address was changed and not told")
            #expect(notices.value.first?.undoLink != nil, "no undo link reached the old address")
            #expect(countQuery(app.databasePath, "SELECT count(*) FROM email_change_undos") == 1)
        }
    }
}
