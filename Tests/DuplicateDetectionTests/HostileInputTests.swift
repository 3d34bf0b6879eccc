import AccountMatching
import AccountModel
import DuplicateDetection
import Foundation
import TestSupport
import Testing

/// Inputs the validators accept that would make a pair's comparison quadratic or worse: name fields and screen names
/// are limited in characters, and one character can hold any number of Hangul leading jamo.
@Suite(.offThePool)
struct HostileInputTests {
    @Test func accountsWithOverLongNamesAndScreenNamesAreStillClusteredByTheirMailbox() throws {
        let run = 20_000
        let first = String(repeating: "\u{1100}", count: run)
        let second = String(repeating: "\u{1101}", count: run)
        let report = detect([
            account(
                "kim_one", email: "kim.jamo@gmail.com", first: "Kim", last: first,
                screen: first + "\u{1102}", twitterName: "Kim " + first),
            account(
                "kim_two", email: "kimjamo@gmail.com", first: "Kim", last: second,
                screen: "\u{1102}" + first, twitterName: "Kim " + second),
            account("lee", email: "lee@example.org", first: "Lee", last: first, screen: first),
        ])
        #expect(report.usernameClusters == [["kim_one", "kim_two"]])
        let cluster = try #require(report.clusters.first)
        #expect(cluster.reasons.first == "same mailbox after gmail normalisation")
    }
}
