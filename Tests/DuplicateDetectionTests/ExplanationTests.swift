import AccountMatching
import AccountModel
import DuplicateDetection
import Foundation
import TestSupport
import Testing

/// `DuplicateDetector.explain`: why two accounts are, or are not, linked, from the same run as the report.
@Suite(.offThePool)
struct ExplanationTests {
    static func explain(_ accounts: [MatchableAccount], _ usernames: [String]) throws -> [PairExplanation] {
        var detector = DuplicateDetector()
        detector.add(contentsOf: accounts)
        let ids = usernames.map { name in accounts.first { $0.username == name }!.id }
        return try detector.explain(ids)
    }

    /// A minimum given with more decimals than scores have is printed as given: a score of 0.7 is below 0.7004, and
    /// the verdict must not read "score 0.7, below the minimum 0.7".
    @Test func theVerdictPrintsTheMinimumAsGiven() throws {
        let accounts =
            [
                account("silverrunner34", email: "maya@example.net", first: "Maya", last: "Quillfeather"),
                account("mq_tw", screen: "thesilverrunner", twitterName: "Maya Q."),
            ] + strangers(500)
        var settings = DetectionSettings()
        settings.minimumScore = 0.7004
        var detector = DuplicateDetector(settings: settings)
        detector.add(contentsOf: accounts)
        let explanations = try detector.explain(accounts.prefix(2).map(\.id))
        let explanation = try #require(explanations.first)
        #expect(explanation.score == 0.7 && !explanation.isLinked)
        let text = ReportRenderer.render(explanations, as: .text)
        #expect(text.contains("not linked: score 0.7, below the minimum 0.7004"))
        #expect(ReportRenderer.render(explanations, as: .json).contains("\"min_score\": 0.7004"))
    }

    @Test func aLinkedPairIsExplainedWithTheReportsOwnReasonsAndCluster() throws {
        let accounts =
            [
                account("john", email: "j.o.h.n+x@gmail.com", first: "John", last: "Smith"),
                account("smithy", email: "john@googlemail.com", first: "Johnny", last: "Smith"),
            ] + strangers(40)
        let report = detect(accounts)
        let cluster = try #require(report.clusters.first)
        let explanation = try #require(try Self.explain(accounts, ["john", "smithy"]).first)
        #expect(explanation.isLinked && explanation.wasCompared && explanation.isClustered)
        #expect(explanation.score == cluster.score)
        #expect(explanation.reasons == cluster.reasons)
        #expect(explanation.firstCluster?.id == cluster.id && explanation.firstCluster?.size == 2)
        #expect(explanation.findings.map(\.subject) == ["mailbox", "names", "handles"])
        #expect(explanation.findings[0].text == "same mailbox after gmail normalisation")
        #expect(explanation.findings[1].text.hasPrefix("account names match through a nickname"))
        #expect(explanation.sharedBlocks.contains { $0.description == "mailbox of j.o.h.n+x@gmail.com" && $0.compared })
    }

    /// How many others carry a name is remembered per name, not under a key another name can share: the first
    /// account's given name is word 0, and until session 60 `Maria` + `Martin Lopez` shared the memo entry of `Martin`
    /// + `Lopez`, so the pair's verdict depended on which name the scorer met first (here: explained alone, or after
    /// a Martin Lopez pair).
    @Test func aNamesCarriersAreNotRememberedUnderAnotherNamesKey() throws {
        let accounts =
            [
                account("mariamartinlopez", email: "mml@example.org", first: "Maria", last: "Martin Lopez"),
                account("mml_tw", first: "Maria", last: "Martin Lopez", screen: "mariamartinlopez"),
            ]
            + namesakes(
                "Martin", "Lopez",
                ["martinlopez", "martinlopez7", "mlopez", "lopezm", "martin.l", "mlz", "lopez.martin", "martinl"])
            + strangers(40)
        let alone = try #require(try Self.explain(accounts, ["mariamartinlopez", "mml_tw"]).first)
        let after = try #require(
            try Self.explain(accounts, ["martinlopez", "martinlopez7", "mariamartinlopez", "mml_tw"]).last)
        #expect([after.first.username, after.second.username] == ["mariamartinlopez", "mml_tw"])
        #expect(after.score == alone.score)
        #expect(after.findings.map(\.text) == alone.findings.map(\.text))
    }

    /// Two namesakes with the handle their name spells: compared, scored, and left apart, and the explanation says
    /// why (others carrying the name could have picked it).
    @Test func namesakesWithANameMadeHandleAreComparedAndLeftApart() throws {
        let accounts =
            namesakes("Mary", "Jones", ["maryjones", "mary.jones", "mjones", "jonesmary", "mary_j"])
            + [account("maryjones_2", screen: "maryjones", twitterName: "Mary Jones")] + strangers(40)
        let explanation = try #require(try Self.explain(accounts, ["maryjones", "maryjones_2"]).first)
        #expect(explanation.wasCompared && !explanation.isLinked && !explanation.isClustered)
        #expect(explanation.score == 0.5)
        #expect(explanation.findings[1].text.hasPrefix("Twitter display name matches account name; about "))
        #expect(
            explanation.findings[2].text
                == "screen name matches username, but others carrying the name could have picked that handle")
        #expect(explanation.sharedBlocks.map(\.description).contains("handle \"maryjones\""))
        #expect(explanation.firstCluster == nil && explanation.secondCluster == nil)
        let text = ReportRenderer.render([explanation], as: .text)
        #expect(text.hasPrefix("maryjones and maryjones_2: not linked: score 0.5, below the minimum 0.7\n"))
    }

    /// In a name block too large to compare all pairs (30 namesakes, sorted by username), each member is compared
    /// with its next 2 neighbours (`looseNeighbourWindow`) only; the explanation says which pairs were, and what the
    /// others would have scored.
    @Test func membersOfALargeBlockThatAreNotNeighboursAreNotCompared() throws {
        let handles = (0..<30).map { String(format: "ann%02d_%@", $0, ["k", "q", "z"][$0 % 3]) }
        let accounts = namesakes("Ann", "Okafor", handles) + strangers(40)
        let near = try Self.explain(accounts, [handles[0], handles[1], handles[2], handles[3]])
        // Pairs in order: 0-1, 0-2, 0-3, 1-2, 1-3, 2-3; distance in the block's order 1, 2, 3, 1, 2, 1.
        #expect(near.map(\.wasCompared) == [true, true, false, true, true, true])
        // Ann's name blocks are those of each full form of the given name (the nickname table's Anna too).
        let blocks = ["name \"ann okafor\"", "name \"anna okafor\""]
        #expect(near.allSatisfy { !$0.isLinked && $0.sharedBlocks.map(\.description) == blocks })
        let explanation = try #require(try Self.explain(accounts, [handles[0], handles[29]]).first)
        #expect(!explanation.wasCompared && !explanation.isLinked)
        let block = try #require(explanation.sharedBlocks.first { $0.description == "name \"ann okafor\"" })
        #expect(block.size == 30 && !block.compared)
        let text = ReportRenderer.render([explanation], as: .text)
        #expect(text.contains("not compared: every block they share is large, and in none are they near neighbours"))
        #expect(text.contains("name \"ann okafor\": 30 accounts, too large to compare all pairs"))
    }

    /// A link through a shared number is scored with the report's minimum on a path of its own; the explanation,
    /// scored without one, gives the same score and reasons.
    @Test func aLinkThroughASharedNumberScoresAsInTheReport() throws {
        let accounts =
            [
                account("storm940", email: "storm940@example.org", first: "Stephen", last: "Adeyemi"),
                account("s_adeyemi940", email: "s.adeyemi@example.com", first: "Steve", last: "Adeyemi"),
            ] + strangers(50)
        let report = detect(accounts)
        let cluster = try #require(report.clusters.first)
        #expect(report.usernameClusters == [["s_adeyemi940", "storm940"]])
        let explanation = try #require(try Self.explain(accounts, ["storm940", "s_adeyemi940"]).first)
        #expect(explanation.isLinked && explanation.score == cluster.score && explanation.reasons == cluster.reasons)
        #expect(cluster.reasons.contains { $0.contains("share a number") })
    }

    @Test func strangersShareNoBlockAndEveryPairOfThreeIsExplained() throws {
        let accounts = strangers(40)
        let names = [accounts[0].username, accounts[1].username, accounts[2].username]
        let explanations = try Self.explain(accounts, names)
        #expect(
            explanations.map { [$0.first.username, $0.second.username] } == [
                [names[0], names[1]], [names[0], names[2]], [names[1], names[2]],
            ])
        for explanation in explanations {
            #expect(explanation.sharedBlocks.isEmpty && !explanation.wasCompared && explanation.reasons.isEmpty)
            #expect(explanation.findings[1].text == "the names differ")
        }
        let json = ReportRenderer.render(explanations, as: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let pairs = try #require(object["pairs"] as? [[String: Any]])
        #expect(pairs.count == 3)
        #expect(pairs[0]["compared"] as? Bool == false && (pairs[0]["shared_blocks"] as? [Any])?.isEmpty == true)
        #expect((pairs[2]["second"] as? [String: Any])?["username"] as? String == names[2])
        #expect((pairs[0]["findings"] as? [String: String])?["names"] == "the names differ")
    }

    @Test func anAccountTheDetectorWasNotGivenIsNamedAndOneAccountIsTooFew() {
        let accounts = strangers(5)
        let missing = account("nobody").id
        #expect(throws: ExplanationError.accountNotRead(missing)) {
            var detector = DuplicateDetector()
            detector.add(contentsOf: accounts)
            _ = try detector.explain([accounts[0].id, missing])
        }
        #expect(throws: ExplanationError.tooFewAccounts) {
            var detector = DuplicateDetector()
            detector.add(contentsOf: accounts)
            _ = try detector.explain([accounts[0].id, accounts[0].id])
        }
        #expect(ExplanationError.accountNotRead(missing).description.contains(missing.rawValue))
    }
}
