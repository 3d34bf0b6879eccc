import AccountStore
import Foundation
import Migrations
import TestSupport
import Testing
import TwitterOAuth

/// The routes of an app whose database another process migrated past the build it runs (a newer build's
/// `accounts migrate` during an upgrade).
struct SchemaAheadRoutesTests {
    /// A newer build's migration that changes no schema, only data: the running app cannot tell it from one that
    /// rebuilds a table.
    static let newer = MigrationFile(
        fileName: String(format: "%04d_touch_users.sql", Int(Migrations.sqlite.last!.fileName.prefix(4))! + 1),
        contents: Array("UPDATE users SET updated_at = updated_at;\n".utf8))

    /// Every request answers 503 with `Retry-After` and a page that says the site is being upgraded and nothing was
    /// changed (so that a load balancer takes the instance out and the person tries again on the new build), never a
    /// 500; the log says once what to do, not a line per request; no request writes anything, a log-in included.
    @Test func requestsToAnAppWhoseDatabaseWasMigratedPastItAnswer503AndChangeNothing() async throws {
        try await WebApp.run { app in
            // Given Ada, signed up and signed in
            var ada = try await PasswordResetRoutesTests.signUpAda(app)
            var other = app.browser()
            let form = try await other.get("/login")
            let csrf = try #require(form.csrfToken)

            // When a newer build migrates the database under the running app
            let report = try AccountStore.migrate(
                StoreConfiguration(path: app.databasePath), migrations: Migrations.sqlite + [Self.newer])
            try #require(report.applied.count == 1)
            let before = try databaseDump(app.databasePath)

            // Then her account page and another browser's log-in are refused with a 503 that says why
            let page = try await ada.get("/account")
            let logIn = try await other.post(
                "/login", [("csrf_token", csrf), ("login", "ada"), ("password", PasswordResetRoutesTests.password)])
            for answer in [page, logIn] {
                #expect(answer.status == 503, "\(answer.status) \(answer.location ?? "")")
                #expect(answer.response.headerValue("retry-after") == "30")
                #expect(answer.text.contains("This site is being upgraded"), "\(answer.text)")
                #expect(answer.text.contains("Nothing was changed"))
            }
            #expect(try databaseDump(app.databasePath) == before)
            let lines = app.logLines.value.filter { $0.contains("migrated past this build") }
            #expect(lines.count == 1, "\(app.logLines.value)")
            #expect(lines.first?.contains("restart it with a build that carries migration") == true, "\(lines)")
            #expect(!app.logLines.value.contains { $0.contains("request failed") }, "\(app.logLines.value)")
        }
    }
}
