package import Foundation

/// The lengths of time the services' settings give, as they are used: a setting that is no length of time a link, a
/// window or a pending sign-in can have does not switch a protection off or stop the process on a request.
package enum SettingBounds {
    /// The longest a link, a pending authorization or a draft may work: a year.
    package static let longestLifetime: TimeInterval = 365 * 24 * 60 * 60
    /// The longest ``LocalAccounts/failureWindow``: a day, as long as `purgeExpired()` keeps failed sign-ins (a longer
    /// window would be cut short by the purge, its cool-down ending before the time its refusal named).
    package static let longestFailureWindow: TimeInterval = 24 * 60 * 60

    /// `value`, or `fallback` (the setting's default) when it is not a number above 0 (NaN, 0, negative: a window
    /// that counts no failure, a link that never works), at most `maximum` (`.infinity` included).
    package static func bounded(_ value: TimeInterval, maximum: TimeInterval, fallback: TimeInterval) -> TimeInterval {
        guard value > 0 else { return fallback }
        return min(value, maximum)
    }
}

extension LocalAccounts {
    /// ``failureWindow`` as used: above 0, a day at most (``SettingBounds``).
    package var countedFailureWindow: TimeInterval {
        SettingBounds.bounded(failureWindow, maximum: SettingBounds.longestFailureWindow, fallback: 15 * 60)
    }

    /// ``passwordResetWindow`` or ``emailVerificationWindow`` as used: above 0 (the default hour when not: a window
    /// of 0 or less counted no link, and the limit on mails to one account never held), a day at most.
    package func mailLimitWindow(_ window: TimeInterval) -> TimeInterval {
        SettingBounds.bounded(window, maximum: 24 * 60 * 60, fallback: 60 * 60)
    }

    /// ``passwordResetLifetime`` as used: above 0, a year at most.
    package var resetLinkLifetime: TimeInterval {
        SettingBounds.bounded(passwordResetLifetime, maximum: SettingBounds.longestLifetime, fallback: 60 * 60)
    }

    /// ``emailVerificationLifetime`` as used: above 0, a year at most.
    package var verificationLinkLifetime: TimeInterval {
        SettingBounds.bounded(
            emailVerificationLifetime, maximum: SettingBounds.longestLifetime, fallback: 3 * 24 * 60 * 60)
    }

    /// ``emailChangeUndoLifetime`` as used: above 0, a year at most.
    package var undoLinkLifetime: TimeInterval {
        SettingBounds.bounded(
            emailChangeUndoLifetime, maximum: SettingBounds.longestLifetime, fallback: 7 * 24 * 60 * 60)
    }
}

extension RegistrationService.Configuration {
    /// ``pendingLifetime`` as used: above 0, a year at most.
    package var pendingAuthorizationLifetime: TimeInterval {
        SettingBounds.bounded(pendingLifetime, maximum: SettingBounds.longestLifetime, fallback: 15 * 60)
    }

    /// ``draftLifetime`` as used: above 0, a year at most.
    package var registrationDraftLifetime: TimeInterval {
        SettingBounds.bounded(draftLifetime, maximum: SettingBounds.longestLifetime, fallback: 60 * 60)
    }
}
