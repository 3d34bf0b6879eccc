import AccountModel
import AccountStore
import AccountsHummingbird
import Foundation
import Registration
import TestSupport
import Testing

/// `AccountRoutes.Configuration`'s session lifetimes, as an embedding app may set them: one that is no number stops
/// the app when the routes are made (naming the setting, as `mountPath` and `cookieName` do); an infinite one
/// (`absoluteLifetime = .infinity` for "no absolute limit") is the year 9999. Either way the app never dies serving a
/// person (an infinite number of microseconds, made an `Int64` in the store, trapped at the first session row).
struct ConfigurationLifetimeTests {
    @Test(arguments: ["absolute-infinity", "absolute-nan", "idle-nan", "control"])
    func aLifetimeTheStoreCannotDateStopsTheAppAtStartOrSignsPeopleIn(_ setting: String) async throws {
        let result = await #expect(
            processExitsWith: .failure, observing: [\.exitStatus, \.standardOutputContent]
        ) { [setting] in
            var configuration = AccountRoutes.Configuration()
            switch setting {
            case "absolute-infinity": configuration.absoluteLifetime = .infinity
            case "absolute-nan": configuration.absoluteLifetime = .nan
            case "idle-nan": configuration.idleLifetime = .nan
            default: break  // "control": the defaults, which sign up and exit 7
            }
            try await WebApp.run(configuration: configuration) { app in
                // The routes took the setting: from here on the app must not die serving a person.
                FileHandle.standardOutput.write(Data("routes-made\n".utf8))
                var browser = app.browser()
                let done = try await browser.submit(
                    "/signup", to: "/signup",
                    [("username", "ada"), ("email", "ada@example.org"), ("password", "a long enough passphrase")])
                guard done.status == 303 else { exit(3) }
            }
            exit(7)  // signed up: a non-zero code of our own, so that `.failure` covers every outcome
        }
        guard let result else { return }
        let refusedAtStart = !String(decoding: result.standardOutputContent, as: UTF8.self).contains("routes-made")
        #expect(
            result.exitStatus == .exitCode(7) || refusedAtStart,
            "the routes took \(setting) and the app died at the first sign-up (\(result.exitStatus))")
    }
}
