import AccountModel
import DuplicateDetection
import Foundation
import TestSupport
import Testing

/// The report's outputs as a reader sees them: which fields the page highlights and `matched_fields` names, what the
/// page may hold.
@Suite(.offThePool)
struct ReportOutputTests {
    /// A report of one cluster: `first` and `second`, linked by their mailbox.
    static func pairReport(_ first: MatchableAccount, _ second: MatchableAccount) -> DuplicateReport {
        DuplicateReport(
            generatedAt: Date(timeIntervalSince1970: 1_800_000_000), accountsScanned: 2, minimumScore: 0.7,
            clusters: [
                DuplicateCluster(
                    id: "dup-0123456789abcdef", score: 0.99, reasons: ["same mailbox after gmail normalisation"],
                    members: [
                        DuplicateMember(account: first, matchedFields: [.email]),
                        DuplicateMember(account: second, matchedFields: [.email]),
                    ], isCapped: false)
            ], statistics: DetectionStatistics())
    }

    /// A link whose names agree by the given name only (one account has no family name) says nothing about the
    /// family name: `last_name` is no matched field of either account — least of all of the one whose `last_name` is
    /// null. (`matchedFields` gave both accounts first_name and last_name; the page highlighted `Jones`, and the JSON
    /// listed `last_name` for a member whose `last_name` is null — 72 of 5,091 members of a 30,000-account generated
    /// set.)
    @Test func aGivenNameOnlyLinkMatchesNoFamilyName() throws {
        let report = detect([
            account("rob", email: "rob.jones@gmail.com", first: "Robert", last: "Jones"),
            account("robert", email: "robjones@gmail.com", first: "Robert"),
        ])
        #expect(report.usernameClusters == [["rob", "robert"]])
        let cluster = try #require(report.clusters.first)
        #expect(cluster.reasons.contains { $0.contains("by given name only") }, "\(cluster.reasons)")
        for member in cluster.members {
            #expect(member.matchedFields.contains(.firstName), "\(member.account.username)")
            #expect(member.matchedFields.contains(.email), "\(member.account.username)")
        }
        let rob = try #require(cluster.members.first { $0.account.username == "rob" })
        let robert = try #require(cluster.members.first { $0.account.username == "robert" })
        #expect(!robert.matchedFields.contains(.lastName), "a null last_name is named a matched field")
        #expect(!rob.matchedFields.contains(.lastName), "Jones matched no other account's family name")
        // In the outputs: no field named matched whose value is null, and `Jones` not highlighted.
        let json = ReportRenderer.render(report, as: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let members = try #require((object["clusters"] as? [[String: Any]])?.first?["members"] as? [[String: Any]])
        for member in members {
            for field in member["matched_fields"] as? [String] ?? [] {
                #expect(!(member[field] is NSNull), "\(member["username"] ?? "?") names null \(field) as matched")
            }
        }
        #expect(!ReportRenderer.render(report, as: .html).contains("<td class=\"hit\">Jones</td>"))
    }

    /// Every value is escaped for the page, and what the page may not hold at all is replaced: the HTML syntax
    /// forbids noncharacters (U+FDD0–U+FDEF, U+xFFFE/U+xFFFF) and the controls DEL and U+0080–U+009F in a document,
    /// and the Nu checker refuses the page ("Forbidden code point U+fdd0"). Names may hold noncharacters (the name
    /// rules refuse controls only), and U+009B is CSI, which a terminal obeys when the page is printed to it. The
    /// escape replaced only C0 controls.
    @Test func thePageHoldsNoForbiddenCodePoints() {
        // (Swift's literals refuse noncharacters.)
        func scalar(_ value: UInt32) -> String { String(Unicode.Scalar(value)!) }
        let first = MatchableAccount(
            id: UserID(uncheckedRawValue: "00000000-0000-4000-8000-000000000001"), username: "zoe",
            email: "zoe@gmail.com", firstName: "Zo" + scalar(0xFDD0) + "e", lastName: "Q" + scalar(0xFFFE))
        let second = MatchableAccount(
            id: UserID(uncheckedRawValue: "00000000-0000-4000-8000-000000000002"), username: "zoe_tw",
            email: "z.oe@gmail.com", twitterScreenName: "zoe_tw",
            twitterName: "Zoe \u{9B}31mred\u{7F}" + scalar(0x10FFFF))
        let report = Self.pairReport(first, second)
        let html = ReportRenderer.render(report, as: .html)
        let forbidden = html.unicodeScalars.filter { scalar in
            let value = scalar.value
            return (0x7F...0x9F).contains(value) || (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE
        }.map { String($0.value, radix: 16) }
        #expect(forbidden == [])
        #expect(html.contains("Zo"))
    }
}
