import AccountMatching
public import AccountModel
import AccountStore
public import Foundation
import Logging

extension AccountRoutes {
    /// A notice to an account's confirmed address that one of its ways in changed, or that it was deleted
    /// (``Configuration/securityNotice``): if it was not its owner's doing, they know to act. Holds no secret but the
    /// link that undoes a change of address (``undoLink``); its description names no address and shows no link.
    public struct SecurityNotice: Sendable, CustomStringConvertible {
        /// What changed.
        public enum Change: String, Sendable, CaseIterable {
            /// The password was changed on the account page.
            case passwordChanged = "password_changed"
            /// A new password was chosen through a reset link.
            case passwordReset = "password_reset"
            /// A password was set on an account that had none (made through Twitter).
            case passwordAdded = "password_added"
            /// The password was removed: the account signs in through Twitter only.
            case passwordRemoved = "password_removed"
            /// A Twitter account was linked: it signs in to this account from now on.
            case twitterLinked = "twitter_linked"
            /// The Twitter account was unlinked.
            case twitterUnlinked = "twitter_unlinked"
            /// The account was deleted by its owner.
            case accountDeleted = "account_deleted"
            /// The account was signed in to from a device (``SecurityNotice/device``) it never signed in from before.
            case newDevice = "new_device"
            /// The account's address was changed (to ``SecurityNotice/newAddress``): mail for it, password reset links
            /// included, goes there now. Sent to the old address only when
            /// ``EmailVerificationDelivery/notifyChange`` is not set (that mail tells it then).
            case emailChanged = "email_changed"
            /// A change of the account's address was undone through the link mailed to the old address, which is
            /// the account's again (this notice goes to it): a password chosen on the link's page replaced the old
            /// one and every browser was signed out. A Twitter account the undo unlinked is told in a
            /// ``twitterUnlinked`` notice of its own.
            case emailChangeUndone = "email_change_undone"

            /// One sentence for the mail: "The password of your account was changed."
            public var sentence: String {
                switch self {
                case .passwordChanged: "The password of your account was changed."
                case .passwordReset: "A new password was chosen for your account through a password reset link."
                case .passwordAdded: "A password was set for your account."
                case .passwordRemoved: "The password of your account was removed: it signs in with Twitter only."
                case .twitterLinked: "A Twitter account was linked to your account: it can sign in to it."
                case .twitterUnlinked: "The Twitter account was unlinked from your account."
                case .accountDeleted: "Your account was deleted."
                case .newDevice: "Your account was signed in to from a browser it had not been used from before."
                case .emailChanged:
                    "The email address of your account was changed: its mail, password reset links included, goes to"
                        + " the new address from now on."
                case .emailChangeUndone:
                    "A change of your account's email address was undone through the link mailed to this address: the"
                        + " account uses this address again, a new password was chosen, and every browser signed in"
                        + " to it was signed out."
                }
            }
        }

        /// The account's confirmed address, where the notice goes.
        public let to: String
        /// The account's username.
        public let username: String
        /// What changed.
        public let change: Change
        /// The Twitter account linked or unlinked (its screen name), for those changes.
        public let twitterScreenName: String?
        /// The browser signed in from ("Safari on iPhone"), for ``Change/newDevice``.
        public let device: String?
        /// The account's address now, for ``Change/emailChanged``.
        public let newAddress: String?
        /// ``newAddress`` as to write it in the notice: with its domain's IDNA ASCII form beside it when that differs
        /// (``Mailbox/shownWithASCIIDomain(_:)``), so that a look-alike of the old address's domain in another script
        /// does not pass for it.
        public var newAddressShown: String? { newAddress.map(Mailbox.shownWithASCIIDomain) }
        /// When it changed.
        public let changedAt: Date
        /// For ``Change/emailChanged``: the link that undoes the change (`<baseURL><mountPath>/email/undo?token=…`),
        /// making ``to`` the account's address again with a password chosen on its page and signing out every
        /// browser: a password reset now goes to the new address, so this is the old address's way back. A secret
        /// until it is used or expires.
        public let undoLink: Secret?
        /// When ``undoLink`` stops working.
        public let undoExpiresAt: Date?

        /// Makes a notice.
        public init(
            to: String, username: String, change: Change, twitterScreenName: String? = nil, device: String? = nil,
            newAddress: String? = nil, changedAt: Date, undoLink: Secret? = nil, undoExpiresAt: Date? = nil
        ) {
            self.to = to
            self.username = username
            self.change = change
            self.twitterScreenName = twitterScreenName
            self.device = device
            self.newAddress = newAddress
            self.changedAt = changedAt
            self.undoLink = undoLink
            self.undoExpiresAt = undoExpiresAt
        }

        /// `security notice (password_changed) for ada`: what and whose, not the address (logs name accounts by
        /// their ids, not their mailboxes).
        public var description: String { "security notice (\(change.rawValue)) for \(username)" }
    }

    /// The most security notices being sent at once; more are dropped (and the drops logged).
    static let maximumSecurityNoticesInFlight = 64

    /// Sends `change`'s notice to `account`'s address, in a task of its own, when notices are configured and the
    /// address is confirmed. `account` is the account as it was before the change (its address is the one told).
    func sendSecurityNotice(
        _ change: SecurityNotice.Change, for account: Account, twitterScreenName: String? = nil, device: String? = nil,
        newAddress: String? = nil, undoLink: Secret? = nil, undoExpiresAt: Date? = nil
    ) {
        guard let send = configuration.securityNotice, let address = account.email, account.isEmailVerified else {
            return
        }
        let notice = SecurityNotice(
            to: address, username: account.username, change: change, twitterScreenName: twitterScreenName,
            device: device, newAddress: newAddress, changedAt: store.currentDate, undoLink: undoLink,
            undoExpiresAt: undoExpiresAt)
        let logger = logger
        let started = noticeMails.start {
            do {
                try await send(notice)
            } catch {
                logger.error(
                    "security notice failed",
                    metadata: [
                        "account.id": "\(account.id)", "web.notice": "\(change.rawValue)",
                        "web.error": "\(type(of: error))",
                    ])
            }
        }
        if !started, let dropped = noticeMails.refusalsToLog(change.rawValue, at: store.currentDate) {
            logger.warning(
                "security notice dropped: too many under way",
                metadata: ["web.limit": "\(noticeMails.limit)", "web.dropped": "\(dropped)"])
        }
    }
}
