import AccountMatching
import AccountModel
import DuplicateDetection
import Foundation
import TestSupport
import Testing

/// The same accounts added in another order give the same report: clusters, members, scores, reasons, matched fields
/// and notes. (Word ids and account indexes follow the order accounts are added in; no outcome may depend on them.)
@Suite(.offThePool)
struct InsertionOrderTests {
    /// The report of `accounts` in their order, reversed, and shuffled a few ways; the first, after checking that
    /// every other is the same.
    private func sameInEveryOrder(
        _ accounts: [MatchableAccount], settings: DetectionSettings = DetectionSettings(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> DuplicateReport {
        let first = detect(accounts, settings: settings)
        var orders = [Array(accounts.reversed())]
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<3 { orders.append(accounts.shuffled(using: &generator)) }
        for order in orders {
            let report = detect(order, settings: settings)
            #expect(report.usernameClusters == first.usernameClusters, sourceLocation: sourceLocation)
            #expect(report.clusters == first.clusters, sourceLocation: sourceLocation)
            #expect(report.statistics.notes == first.statistics.notes, sourceLocation: sourceLocation)
        }
        return first
    }

    @Test func aNicknameIsBlockedUnderTheSameFullFormsInAnyOrder() {
        // `Chris` has six full forms, and a name is blocked under three of them: which three must not depend on the
        // names the store met first.
        let pair = [
            account("chris.huynh78", email: "chris.huynh78@gmail.com", first: "Chris", last: "Huynh"),
            account("chuynh78", email: "huynhchristine@gmail.com", first: "Christine", last: "Huynh"),
        ]
        let others = [
            account("zed1", email: "zed1@example.com", first: "Christopher", last: "Adams"),
            account("zed2", email: "zed2@example.com", first: "Kristopher", last: "Brown"),
            account("zed3", email: "zed3@example.com", first: "Christian", last: "Clark"),
        ]
        let first = detect(pair + others)
        let second = detect(others + pair)
        #expect(first.usernameClusters == [["chris.huynh78", "chuynh78"]])
        #expect(second.clusters == first.clusters)
        _ = sameInEveryOrder(pair + others)
    }

    @Test func aCappedClusterKeepsTheSameMembersInAnyOrder() throws {
        // 21 accounts of one mailbox, links of one score: the cap of 20 leaves one out, the same one in any order,
        // and the oversized mailbox block is described the same way.
        let accounts = (1...21).map { number in
            account(String(format: "u%02d", number), email: "shared.box+\(number)@gmail.com")
        }
        let report = sameInEveryOrder(accounts)
        let cluster = try #require(report.clusters.first)
        #expect(cluster.members.count == 20)
        #expect(cluster.isCapped)
        #expect(
            report.statistics.largestOversizedBlocks.map(\.description) == [
                "handle \"sharedbox\"", "mailbox of shared.box+1@gmail.com",
            ])
        #expect(detect(accounts.reversed()).statistics.notes == report.statistics.notes)
    }

    @Test func theFieldsEvidenceNamesDoNotDependOnWhichAccountCameFirst() {
        // Each account's username is a handle of the other in another field: the username of one is the other's
        // screen name, the other's username the first's email local part. Either pair of fields is as strong; the
        // one the reasons and matched fields name must be the same in any order.
        let accounts = [
            account("zorblaxquint77", email: "velmorathune42@example.org", first: "Coette", last: "Penwood"),
            account(
                "velmorathune42", email: "cp.elsewhere@example.net", screen: "zorblaxquint77",
                twitterName: "Coette Penwood"),
        ]
        let report = sameInEveryOrder(accounts + strangers(30))
        #expect(report.usernameClusters == [["velmorathune42", "zorblaxquint77"]])
    }

    @Test func neighboursInALargeHandlePrefixBlockAreTheSameInAnyOrder() throws {
        // Seventeen handles beginning `mistyphoen` make a block whose members are compared with their nearest
        // neighbours only, ordered by name: by the names' text, not by when the store met each word. (A generated
        // store's accounts: the pair is one person.)
        let block = [
            account(
                "mistyphoenix476", first: "María", last: "Gómez Jiménez", screen: "mistyphoenix476",
                twitterName: "María G."),
            account("mistyphoenix407", email: "liamhall@gmail.com", first: "liam", last: "hall"),
            account(
                "mistyphoenix21", first: "Ebenne", last: "Anyanwu", screen: "mistyphoenix21",
                twitterName: "Ebenne Anyanwu"),
            account("mistyphoenix", first: "Daniel", screen: "mistyphoenix", twitterName: "Daniel"),
            account("mistyphoenix325", email: "sibel2005@gmail.com", first: "Sibel", last: "Demirdağ"),
            account("onyekagodwin", email: "mistyphoenix@gmail.com", first: "Godwin", last: "Onyeka"),
            account(
                "mistyphoenix790", email: "leonardo.falares@vertexcloud.com.br", first: "Leonardo", last: "Falares",
                screen: "leonardofalares", twitterName: "🙏 the real Leonardo"),
            account("mistyphoenix98", email: "shinyghost855@gmail.com", first: "Daniela", last: "Quinzaana"),
            account("mistyphoenix83", email: "ewood1983@gmail.com", first: "Ethan", last: "Wood"),
            account("mistyphoenix05", email: "george.langwiham@gmail.com", first: "George"),
            account("mistyphoenix976", email: "zbigniew92@wp.pl", first: "Zbigniew", last: "Nowicki"),
            account(
                "mistyphoenix793", email: "dani.souza@gmail.com", first: "Daniela", last: "S.",
                screen: "mistyphoenix793", twitterName: "Daniela S."),
            account(
                "mistyphoenix79394", email: "Souza.Daniela@Gmail.com", screen: "mistyphoen96637",
                twitterName: "Dani Souza"),
            account("mistyphoenix192", screen: "mistyphoenix192", twitterName: "Rekha Kumar"),
            account("mistyphoenix67", email: "luischavez99@outlook.com", first: "Luis", last: "Chavez"),
            account("mistyphoenix14", email: "timothy.madington@gmail.com", first: "Timothy", last: "Madington"),
            account("mistyphoenix58", email: "taesunjung00@naver.com", first: "Taeseon"),
        ]
        let first = try #require(block.firstIndex { $0.username == "mistyphoenix793" })
        let second = try #require(block.firstIndex { $0.username == "mistyphoenix79394" })
        let others = block.indices.filter { $0 != first && $0 != second }.map { block[$0] }
        // The pair's family words met first and last, then one after the other.
        let apart = [block[first]] + others + [block[second]]
        let together = [block[first], block[second]] + others
        #expect(detect(apart).usernameClusters == [["mistyphoenix793", "mistyphoenix79394"]])
        #expect(detect(together).clusters == detect(apart).clusters)
        _ = sameInEveryOrder(apart)
    }

    @Test func aMixedStoreGivesTheSameReportInAnyOrder() {
        let accounts =
            [
                account("john", email: "j.o.h.n+x@gmail.com", first: "John", last: "Smith"),
                account("johnny_tw", email: "john@googlemail.com", screen: "johnny_tw", twitterName: "Johnny"),
                account("rpemberton77", email: "robert.p@example.org", first: "Robert", last: "Pemberton"),
                account("bob", email: "rpemberton77@yahoo.com", first: "Bob", last: "Pemberton"),
                account("sk8erboi99", email: "sk8erboi99@example.org", first: "Jonathan", last: "Whitaker"),
                account("jw_tw", screen: "sk8erboi99", twitterName: "Jonathon Whitaker"),
                account("kimchilover", email: "kim.lee.1990@gmail.com", first: "Kimberly", last: "Leeward"),
                account("kim2", email: "kimlee1990+shop@gmail.com"),
                account("kim3", screen: "kimchilover", twitterName: "Kim Leeward"),
                account("silverrunner34", email: "maya@example.net", first: "Maya", last: "Quillfeather"),
                account("mq_tw", screen: "thesilverrunner", twitterName: "Maya Q."),
                account("giang_nguyen", email: "giang.nguyen@gmail.com", first: "Giang", last: "Nguyen"),
                account(
                    "giang_nguyen99", email: "giangnguyen+99@gmail.com", screen: "giang_nguyen",
                    twitterName: "Giang Nguyen"),
                account("minh1", email: "minh.nguyen1@example.com", first: "Minh", last: "Nguyen"),
                account("minh2", email: "minh.nguyen2@example.com", first: "Nguyen", last: "Minh"),
            ] + (1...14).map { account("nm\($0)", email: "nm\($0)@example.org", first: "Minh", last: "Nguyen") }
            + (1...14).map { account("nn\($0)", email: "nn\($0)@example.org", first: "Nguyen", last: "Minh") }
            + strangers(200)
        let report = sameInEveryOrder(accounts)
        #expect(!report.clusters.isEmpty)
    }

    @Test func aFamilyNameChangedNamesTheSameFieldsInAnyOrder() throws {
        // Each account's two names agree with the other's across fields only (Indira with Indira, Mira with Mira),
        // their family names never: two pairs of fields of one rank, and the report must highlight the same one
        // (the names' text decides: Indira before Mira), whichever name the store met first.
        let pair = [
            account("unfairrhino", first: "Indira", last: "Palazzo", screen: "unfairrhino", twitterName: "Mira Quill"),
            account(
                "ib_tw", email: "unfairrhino@aol.com", first: "Mira", last: "Stone", screen: "ib_tw",
                twitterName: "Indira Blogs"),
        ]
        for accounts in [pair + strangers(300), Array(pair.reversed()) + strangers(300)] {
            let report = sameInEveryOrder(accounts)
            let cluster = try #require(report.clusters.first)
            #expect(report.usernameClusters == [["ib_tw", "unfairrhino"]])
            let fields = Dictionary(
                uniqueKeysWithValues: cluster.members.map { ($0.account.username, $0.matchedFields) })
            #expect(fields["unfairrhino"]?.contains(.firstName) == true)
            #expect(fields["unfairrhino"]?.contains(.twitterName) == false)
            #expect(fields["ib_tw"]?.contains(.twitterName) == true)
            #expect(fields["ib_tw"]?.contains(.firstName) == false)
        }
    }
}
