import AccountMatching
import AccountModel
import DuplicateDetection
import Foundation
import TestSupport
import Testing

@Suite(.offThePool)
struct DuplicateDetectorTests {
    // MARK: - Positives

    @Test func gmailDotsTagsAndGooglemailAreOneMailbox() throws {
        let report = detect([
            account("john", email: "j.o.h.n+x@gmail.com", first: "John", last: "Smith"),
            account("johnny_tw", email: "john@googlemail.com", screen: "johnny_tw", twitterName: "Johnny"),
            account("someone", email: "someone@example.org", first: "Some", last: "One"),
        ])
        #expect(report.usernameClusters == [["john", "johnny_tw"]])
        let cluster = try #require(report.clusters.first)
        #expect(cluster.reasons.first == "same mailbox after gmail normalisation")
        #expect(cluster.members.allSatisfy { $0.matchedFields.contains(.email) })
    }

    /// A member carries its Twitter id into the report as given (the renderers show it beside the screen name), and
    /// the id plays no part in the score: the same accounts without it give the same clusters and scores.
    @Test func membersCarryTheirTwitterIDWhichIsNotCompared() throws {
        var accounts = [
            account("john", email: "j.o.h.n+x@gmail.com", first: "John", last: "Smith"),
            account("johnny_tw", email: "john@googlemail.com", screen: "johnny_tw", twitterName: "Johnny"),
            account("someone", email: "someone@example.org", first: "Some", last: "One"),
        ]
        let without = detect(accounts)
        accounts[1].twitterUserID = TwitterUserID(UInt64.max)
        accounts[2].twitterUserID = TwitterUserID(0)
        let report = detect(accounts)
        let cluster = try #require(report.clusters.first)
        #expect(cluster.members.map(\.account.twitterUserID) == [nil, TwitterUserID(UInt64.max)])
        #expect(report.clusters.map(\.score) == without.clusters.map(\.score))
        #expect(report.usernameClusters == without.usernameClusters)
    }

    /// The same name at two of Apple's (or Proton's) domains is not one mailbox (`Mailbox.providers` says why), but it
    /// is the same handle: with names that agree the accounts still link, through their email local parts; with names
    /// that clash they do not.
    @Test func aProvidersOtherDomainIsTheSameHandleNotTheSameMailbox() throws {
        let report = detect(
            [
                account("jhernandez64", email: "jhernandez@me.com", first: "Josh", last: "Hernandez"),
                account("jhernandez98", email: "JHernandez@icloud.com", first: "Joshua", last: "Hernandez"),
                account("gerald_s", email: "scott23@me.com", first: "Gerald", last: "Scott"),
                account("melissa_s", email: "scott23@icloud.com", first: "Melissa", last: "Scott"),
                account("someone", email: "jhernandez@mac.org", first: "Some", last: "One"),
            ] + strangers(50))
        #expect(report.usernameClusters == [["jhernandez64", "jhernandez98"]])
        let apple = try #require(report.clusters.first)
        #expect(apple.reasons.allSatisfy { !$0.hasPrefix("same mailbox") })
        #expect(apple.reasons.contains { $0.contains("email local parts match") })
    }

    @Test func emailSignUpAndTwitterSignUpOfOnePerson() throws {
        let report = detect(
            [
                account("jwhit84", email: "jonah@example.org", first: "Jonah", last: "Whitfield"),
                account("jwhit84_2", screen: "jwhit84", twitterName: "Jonah Whitfield"),
            ] + strangers(50))
        let cluster = try #require(report.clusters.first)
        #expect(report.usernameClusters == [["jwhit84", "jwhit84_2"]])
        #expect(cluster.reasons.contains("Twitter display name matches account name and screen name matches username"))
        #expect(cluster.score >= DetectionSettings.defaultMinimumScore)
        let twitter = try #require(cluster.members.first { $0.account.username == "jwhit84_2" })
        #expect(twitter.matchedFields == [.twitterScreenName, .twitterName])
    }

    /// A display name written in a font of letters that have no lowercase (mathematical script, black-letter) reads as
    /// the name it spells: their compatibility forms are capitals, lowercased after the decomposition.
    @Test func aDisplayNameInAFancyFontIsTheNameItSpells() throws {
        let report = detect(
            [
                account("jwhit84", email: "jonah@example.org", first: "Jonah", last: "Whitfield"),
                account("jwhit84_2", screen: "jwhit84", twitterName: "𝓙𝓸𝓷𝓪𝓱 𝓦𝓱𝓲𝓽𝓯𝓲𝓮𝓵𝓭 ✨"),
                account("hmueller", email: "hans@example.de", first: "Hans", last: "Müller"),
                account("hmueller_2", screen: "hmueller", twitterName: "ℌ𝔞𝔫𝔰 𝔐𝔲\u{308}𝔩𝔩𝔢𝔯"),
            ] + strangers(50))
        #expect(
            report.usernameClusters.sorted { $0[0] < $1[0] } == [
                ["hmueller", "hmueller_2"], ["jwhit84", "jwhit84_2"],
            ])
        for cluster in report.clusters {
            // The names are the same: not within a typo, a nickname or an initial. (Hans Müller's is a rare name.)
            #expect(
                cluster.reasons.map { $0.replacingOccurrences(of: " (a rare name)", with: "") }.contains(
                    "Twitter display name matches account name and screen name matches username"),
                "\(cluster.reasons)")
        }
    }

    /// `report` consumes the detector it is given; a detector still in use afterwards is left as it was, so that it
    /// can take more accounts and report again.
    @Test func aDetectorStillInUseAfterAReportCanGoOn() {
        var detector = DuplicateDetector()
        detector.add(contentsOf: [
            account("john", email: "j.o.h.n+x@gmail.com", first: "John", last: "Smith"),
            account("johnny_tw", email: "john@googlemail.com", screen: "johnny_tw", twitterName: "Johnny"),
        ])
        let first = detector.report(generatedAt: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(first.usernameClusters == [["john", "johnny_tw"]])
        #expect(detector.count == 2)
        detector.add(account("smithj", email: "john@gmail.com", first: "John", last: "Smith"))
        let second = detector.report(generatedAt: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(second.usernameClusters == [["john", "johnny_tw", "smithj"]])
        #expect(second.accountsScanned == 3)
    }

    @Test func nicknameAndSharedDistinctiveHandle() {
        let report = detect(
            [
                account("rpemberton77", email: "robert.p@example.org", first: "Robert", last: "Pemberton"),
                account("bob", email: "rpemberton77@yahoo.com", first: "Bob", last: "Pemberton"),
            ] + strangers(50))
        #expect(report.usernameClusters == [["bob", "rpemberton77"]])
        #expect(
            report.clusters.first?.reasons == [
                "account names match through a nickname and email local part matches username"
            ])
    }

    @Test func typoInANameWithTheSameHandle() {
        let report = detect([
            account("sk8erboi99", email: "sk8erboi99@example.org", first: "Jonathan", last: "Whitaker"),
            account("jw_tw", screen: "sk8erboi99", twitterName: "Jonathon Whitaker"),
        ])
        #expect(report.usernameClusters == [["jw_tw", "sk8erboi99"]])
    }

    @Test func twoTwitterAccountsSharingAMailbox() {
        let report = detect([
            account("anna_b", email: "anna@bücher.example", screen: "anna_b", twitterName: "Anna B"),
            account(
                "books_by_anna", email: "ANNA@xn--bcher-kva.example", screen: "books_by_anna", twitterName: "Bücherwurm"
            ),
        ])
        #expect(report.usernameClusters == [["anna_b", "books_by_anna"]])
        #expect(report.clusters.first?.reasons.first == "same mailbox after Unicode and IDNA normalisation")
    }

    @Test func threeAccountsChainIntoOneCluster() {
        let report = detect([
            account("kimchilover", email: "kim.lee.1990@gmail.com", first: "Kimberly", last: "Leeward"),
            account("kim2", email: "kimlee1990+shop@gmail.com"),
            account("kim3", screen: "kimchilover", twitterName: "Kim Leeward"),
        ])
        #expect(report.usernameClusters == [["kim2", "kim3", "kimchilover"]])
    }

    @Test func aCommonNameWithABirthYearIsNotEnough() {
        // Twelve other John Smiths in the store could have picked `jsmith84`: a common name needs a more telling
        // handle. (How common a name is comes from the store: the same two pairs among strangers only would link.)
        let otherJohnSmiths = (0..<12).map { index in
            account("john\(index)_\(["runs", "cooks", "sails", "reads"][index % 4])", first: "John", last: "Smith")
        }
        let report = detect(
            [
                account("jsmith84", email: "john.smith@example.org", first: "John", last: "Smith"),
                account("jsmith84_2", screen: "jsmith84", twitterName: "John Smith"),
                account("jsmith_surfs", email: "jsmith_surfs@example.org", first: "John", last: "Smith"),
                account("surfer_tw", screen: "jsmith_surfs", twitterName: "John Smith"),
            ] + otherJohnSmiths + strangers(50))
        #expect(report.usernameClusters == [["jsmith_surfs", "surfer_tw"]])
    }

    @Test func aPhraseForANameIsNoName() {
        // Forty accounts call themselves "Book Club": a phrase, not a person. Its holder's handle spells Ada
        // Vorquist's name, so the two are one person; the phrase neither clashes with her name nor links the forty.
        let bookClub = (0..<40).map { index in
            account(
                "reader\(index)_\(["owl", "fox", "elk", "bee", "cat"][index % 5])", email: "club\(index)@example.com",
                screen: "bc\(index)_reads", twitterName: "Book Club")
        }
        let report = detect(
            [
                account("adavorquist", email: "ada@vorquist.example", first: "Ada", last: "Vorquist"),
                account("adavorquist_2", screen: "adavorquist", twitterName: "Book Club"),
            ] + bookClub + strangers(300))
        #expect(report.usernameClusters == [["adavorquist", "adavorquist_2"]])
        #expect(report.clusters.first?.reasons == ["screen name matches username"])
    }

    @Test func onePersonsManyAccountsDoNotMakeTheirNameAPhrase() {
        // Five Twitter sign-ups of one Xochitl Quintanilla, one gmail mailbox: ten name slots, but one person.
        let local = ["xquintanilla", "x.quintanilla", "xquintanilla+tw", "x.quin.tanilla", "xquintanilla+news"]
        let accounts = local.enumerated().map { index, local in
            account(
                "xq\(index)", email: "\(local)@gmail.com", first: "Xochitl", last: "Quintanilla", screen: "xq_\(index)",
                twitterName: "Xochitl Quintanilla")
        }
        let report = detect(accounts + strangers(300))
        #expect(report.usernameClusters == [["xq0", "xq1", "xq2", "xq3", "xq4"]])
        #expect(report.clusters.first?.score == 0.99)
    }

    @Test func aNamelessAccountMatchesAHandleThatSpellsTheOtherName() {
        // `williamvorquist1974` spells William Vorquist out in full: only a William Vorquist would make it, however
        // many other Vorquists there are. `wvorquist84` is any W. Vorquist's, `vorquist427` any Vorquist's: telling
        // among three Vorquists, not when sixty others could have written them.
        let pairs = [
            account("williamvorquist1974", email: "wv@vorquist.example", first: "William", last: "Vorquist"),
            account("williamvorquist1974_9", email: "williamvorquist1974@example.net"),
            account("wvorquist84", email: "w@vorquist.example", first: "Wanda", last: "Vorquist"),
            account("wvorquist84_2", email: "wvorquist84@example.net"),
            account("vorquist427", email: "x@vorquist.example", first: "Xena", last: "Vorquist"),
            account("vorquist427_2", email: "vorquist427@example.net"),
        ]
        let syllables = ["ka", "lo", "ri", "ve", "ta", "na", "mi", "so", "de", "ra"]
        let otherVorquists = (0..<60).map { index in
            account(
                "v\(index)_reads", first: (syllables[index % 10] + syllables[index / 10] + "n").capitalized,
                last: "Vorquist")
        }
        let alone = detect(pairs + strangers(300))
        #expect(
            alone.usernameClusters == [
                ["vorquist427", "vorquist427_2"], ["williamvorquist1974", "williamvorquist1974_9"],
                ["wvorquist84", "wvorquist84_2"],
            ])
        let crowded = detect(pairs + otherVorquists + strangers(300))
        #expect(crowded.usernameClusters == [["williamvorquist1974", "williamvorquist1974_9"]])
    }

    @Test func aTitleInTheFirstNameFieldIsNotTheGivenName() {
        // Registration filled `Prof.` and `Kat Murphy` in from the display name `Prof. Kat Murphy`: she is Kat
        // (Kathleen) Murphy, with the same address at another provider.
        let report = detect(
            [
                account("katmurphy1996", email: "kat.murphy1996@ymail.com", first: "Prof.", last: "Kat Murphy"),
                account("kathleen.1996", email: "kat.murphy1996@hotmail.com", first: "Kathleen", last: "Murphy"),
            ] + strangers(300))
        #expect(report.usernameClusters == [["kathleen.1996", "katmurphy1996"]])
    }

    @Test func aRareNameMakesEvenAPlainHandleTelling() {
        let report = detect(
            [
                account("zquackenbush", email: "zebulon@example.org", first: "Zebulon", last: "Quackenbush"),
                account("zquackenbush_2", screen: "zquackenbush", twitterName: "Zebulon Quackenbush"),
            ] + strangers(500))
        #expect(report.usernameClusters == [["zquackenbush", "zquackenbush_2"]])
        #expect(report.clusters.first?.reasons.contains { $0.contains("(a rare name)") } == true)
    }

    @Test func aNumberBothHandlesHoldLinksMatchingNames() throws {
        // Stephen and Steve Adeyemi picked different words around the same number: few Adeyemis in the store, and
        // fewer still who would write 940 in a handle.
        let report = detect(
            [
                account("s_adeyemi940", email: "adeyemis940@example.net", first: "Stephen", last: "Adeyemi"),
                account("storm940", screen: "storm940", twitterName: "Steve Adeyemi"),
            ] + strangers(500))
        #expect(report.usernameClusters == [["s_adeyemi940", "storm940"]])
        let cluster = try #require(report.clusters.first)
        #expect(
            cluster.reasons == [
                "Twitter display name matches account name through a nickname and usernames share a number"
            ])
    }

    @Test func aScreenNameWithAWordInFrontCutAt15() throws {
        // `silverrunner34` was too long for Twitter with `the` in front: `thesilverrunner`. The pair shares no
        // blocking key but the prefix of what follows the word.
        let report = detect(
            [
                account("silverrunner34", email: "maya@example.net", first: "Maya", last: "Quillfeather"),
                account("mq_tw", screen: "thesilverrunner", twitterName: "Maya Q."),
            ] + strangers(500))
        #expect(report.usernameClusters == [["mq_tw", "silverrunner34"]])
        #expect(
            report.clusters.first?.reasons == [
                "Twitter display name matches account name apart from an initial and screen name resembles username"
            ])
    }

    @Test func aScreenNameCutAt15ToMakeRoomForANumber() throws {
        // `gloomyanchor` was taken on Twitter, and with a number behind it was too long: `gloomyancho5867`. The two
        // share `gloomyancho` and nothing more; a rare name vouches for the rest.
        func linked(screen: String, tail: String = "63") -> Bool {
            detect(
                [
                    account(
                        "gloomyanchor\(tail)", email: "gloomyanchor\(tail)@example.net", first: "Patricia",
                        last: "Pichardo"),
                    account("pp_tw", screen: screen, twitterName: "Patricia Pichardo"),
                ] + strangers(500)
            ).usernameClusters == [["gloomyanchor\(tail)", "pp_tw"]]
        }
        #expect(linked(screen: "gloomyancho5867"))
        #expect(linked(screen: "gloomyanch_5867"))
        // Controls: a handle of 13 characters was not cut by Twitter (`gloomyanch501` is a handle of its own), and
        // where the other handle goes on with digits, the two carry different numbers.
        #expect(!linked(screen: "gloomyanch501"))
        #expect(!linked(screen: "gloomyanchor841"))
    }

    /// A person whose family name changed (a marriage), or who wrote a word in its place (`Indira Blogs`), keeps a
    /// handle of their own: given names that agree and a handle that only the two accounts hold, made of no name,
    /// link them at the default minimum score, though the family names differ from the first letter, when one of
    /// them has no mailbox to say whose it is.
    @Test func aHandleOnlyTwoHoldLinksTheSameGivenNameUnderAnotherFamilyName() throws {
        let married = account("unfairrhino", first: "Indira", last: "Palazzo")
        func twitter(_ name: String, mailbox: String = "unfairrhino@aol.com") -> MatchableAccount {
            account("ib_tw", email: mailbox, screen: "ib_tw", twitterName: name)
        }
        let accounts = [married, twitter("Indira Blogs")] + strangers(500)
        let report = detect(accounts)
        #expect(report.usernameClusters == [["ib_tw", "unfairrhino"]])
        let cluster = try #require(report.clusters.first)
        #expect(cluster.score == DetectionSettings.defaultMinimumScore)
        #expect(
            cluster.reasons == [
                "Twitter display name and account name share a given name but not a family name, and email local part "
                    + "matches username, a handle no other account holds and no name spells"
            ])
        let explanation = try #require(try ExplanationTests.explain(accounts, ["unfairrhino", "ib_tw"]).first)
        #expect(explanation.isLinked)
        #expect(explanation.findings.map(\.text).contains("the given names agree, the family names differ"))
        #expect(explanation.sharedBlocks.contains { $0.description == "handle \"unfairrhino\"" && $0.compared })
        // Another handle the two share with a third account is a block that passes them over for their names; when
        // its key comes first, the block of the handle only they hold still compares them.
        for other in ["plonker", "wombat", "zephyr", "quokka"] {
            let sharing = [
                account("unfairrhino", first: "Indira", last: "Palazzo", screen: other, twitterName: "Indira Palazzo"),
                account("ib_tw", email: "unfairrhino@aol.com", screen: other, twitterName: "Indira Blogs"),
                account(other, first: "Harriet", last: "Bloom"),
            ]
            #expect(detect(sharing + strangers(500)).usernameClusters == [["ib_tw", "unfairrhino"]], "\(other)")
        }
        // A nickname is the same given name (Liz and Elizabeth).
        #expect(
            detect(
                [account("unfairrhino", first: "Liz", last: "Palazzo"), twitter("Elizabeth Blogs")] + strangers(500)
            )
            .usernameClusters == [["ib_tw", "unfairrhino"]])

        // Controls. Given names that differ (with the same initial, which blocking lets through):
        #expect(detect([married, twitter("Irene Blogs")] + strangers(500)).clusters.isEmpty)
        // first names of two words whose second words differ (`Tae Woo`, `Tae Soo`), with other family names or
        // with the same one;
        for family in ["Blogs", "Palazzo"] {
            let pair = [
                account("unfairrhino", first: "Tae Woo", last: "Palazzo"),
                account("ts", email: "unfairrhino@aol.com", first: "Tae Soo", last: family),
            ]
            #expect(detect(pair + strangers(500)).clusters.isEmpty, "\(family)")
        }
        // two mailboxes (two people of one given name mostly have two);
        let mailed = account("unfairrhino", email: "indira.palazzo@example.org", first: "Indira", last: "Palazzo")
        #expect(detect([mailed, twitter("Indira Blogs")] + strangers(500)).clusters.isEmpty)
        // a third account holding the handle (here as its screen name), a handle of its letters with a number, or an
        // alt's username naming the handle (which holds other letters);
        for third in [
            account("hb_tw", screen: "unfairrhino", twitterName: "Harriet Bloom"),
            account("unfairrhino7", first: "Harriet", last: "Bloom"),
            account("unfairrhino_alt", first: "Harriet", last: "Bloom"),
        ] {
            #expect(
                detect([married, twitter("Indira Blogs"), third] + strangers(500)).clusters.isEmpty, "\(third.username)"
            )
        }
        // a family name in another script, which the handle may spell romanised;
        #expect(detect([married, twitter("Indira Блогс")] + strangers(500)).clusters.isEmpty)
        // a handle that spells three letters of a name, or of a nickname (Beth of Elizabeth), which others of the
        // name could have picked too;
        for (handle, given) in [("blogrhino", "Indira"), ("bethrhino", "Elizabeth"), ("rhinopala", "Indira")] {
            let pair = [
                account(handle, first: given, last: "Palazzo"),
                twitter("\(given) Blogs", mailbox: "\(handle)@aol.com"),
            ]
            #expect(detect(pair + strangers(500)).clusters.isEmpty, "\(handle)")
        }
        // a handle of fewer than six letters `a`…`z`, however many bytes;
        for handle in ["ниндзя", "忍者猫"] {
            let pair = [
                account(handle, first: "Indira", last: "Palazzo"),
                account("ib_tw", screen: handle, twitterName: "Indira Blogs"),
            ]
            #expect(detect(pair + strangers(500)).clusters.isEmpty, "\(handle)")
        }
        let short = [
            account("rhino", first: "Indira", last: "Palazzo"), twitter("Indira Blogs", mailbox: "rhino@aol.com"),
        ]
        #expect(detect(short + strangers(500)).clusters.isEmpty)
        // a handle such as strangers' are made of, where many begin `unfa` and many end `hino` (two common words);
        let syllables = [
            "ka", "lo", "ri", "ve", "ta", "na", "mi", "so", "de", "ra", "el", "an", "or", "is", "um", "ba",
        ]
        let lookalikes = (0..<150).flatMap { index in
            let middle = syllables[index % 16] + syllables[index / 16]
            return [
                account("unfa\(middle)q", first: "Lee", last: "Fox"),
                account("q\(middle)hino", first: "Lee", last: "Fox"),
            ]
        }
        let amongLookalikes = detect([married, twitter("Indira Blogs")] + lookalikes)
        #expect(!amongLookalikes.usernameClusters.contains { $0.contains("unfairrhino") })
        // or a few such handles where the given name is a common one: three handles begin `unfa` and three end
        // `hino`, which with two Indiras in 500 strangers leaves the pair linked, and with 250 does not.
        let few = Array(lookalikes.prefix(6))
        #expect(
            detect([married, twitter("Indira Blogs")] + few + strangers(500)).usernameClusters.contains {
                $0.contains("unfairrhino")
            })
        let indiras = strangers(500).enumerated().map { index, stranger in
            index.isMultiple(of: 2)
                ? account(stranger.username, email: stranger.email, first: "Indira", last: stranger.lastName) : stranger
        }
        #expect(
            !detect([married, twitter("Indira Blogs")] + few + indiras).usernameClusters.contains {
                $0.contains("unfairrhino")
            })
        // Whichever account comes first, the same answer: the commonest of the agreeing given names counts (Indira
        // and Indira, Liz and Elizabeth among a hundred Elizabeths).
        let elizabeths = (0..<100).map { account("eliz\($0)", first: "Elizabeth", last: "Vance") }
        let both = [
            account("unfairrhino", first: "Indira", last: "Palazzo", screen: "liz_tw", twitterName: "Liz Blogs"),
            account(
                "eo_tw", email: "unfairrhino@aol.com", first: "Elizabeth", last: "Okafor", screen: "eo_tw",
                twitterName: "Indira Quinn"),
        ]
        // Two handles that count: the reason names the same one in either order.
        let twoHandles = [
            account("unfairrhino", first: "Indira", last: "Palazzo", screen: "quietbadgerx", twitterName: "Indira P"),
            account("quietbadgerx", email: "unfairrhino@aol.com", first: "Indira", last: "Blogs"),
        ]
        let inOrder = detect(twoHandles + strangers(300)).clusters.map(\.reasons)
        #expect(inOrder.count == 1)
        #expect(inOrder == detect((twoHandles + strangers(300)).reversed()).clusters.map(\.reasons))
        let forwards = detect(both + few + elizabeths + strangers(300)).usernameClusters
        #expect(forwards == detect((both + few + elizabeths + strangers(300)).reversed()).usernameClusters)
        // and a minimum above the default.
        var strict = DetectionSettings()
        strict.minimumScore = 0.75
        #expect(detect(accounts, settings: strict).clusters.isEmpty)
    }

    @Test func anAltNamedAfterTheOnlyHolderOfAHandleIsTheirs() throws {
        // `fresh_cat_alt` is the alt of whoever is `fresh_cat`: a word handle, common enough in itself, and no names to
        // go by on the alt.
        let main = account("fresh_cat", email: "ada@vorquist.example", first: "Ada", last: "Vorquist")
        let report = detect([main, account("fresh_cat_alt", screen: "lazy_fox_77")] + strangers(500))
        #expect(report.usernameClusters == [["fresh_cat", "fresh_cat_alt"]])
        #expect(report.clusters.first?.reasons == ["username marks an alt of username"])
        let explanation = try #require(
            try ExplanationTests.explain(
                [main, account("fresh_cat_alt", screen: "lazy_fox_77")] + strangers(500),
                ["fresh_cat", "fresh_cat_alt"]
            ).first)
        #expect(explanation.findings.contains { $0.text.contains("an alternate account of the same person") })
        // Controls: with a third account holding `freshcat`, whose alt it is is not said; `freshcatalt` with no
        // separator is a handle of its own (`cobalt`); and an alt whose name clashes with the other's is not theirs.
        let third = account("lucy_w", email: "freshcat@example.org", first: "Lucy", last: "Wren")
        #expect(detect([main, account("fresh_cat_alt"), third] + strangers(500)).clusters.isEmpty)
        #expect(detect([main, account("freshcatalt")] + strangers(500)).clusters.isEmpty)
        #expect(
            detect([main, account("fresh_cat_alt", first: "Mary", last: "Okafor")] + strangers(500)).clusters.isEmpty)
    }

    /// A third holder of the handle whose mailbox is the main account's with a tag (at a provider that keeps tags,
    /// so the mailboxes differ) is that person again: the alt is still theirs. A stranger holding the handle through
    /// a mailbox of their own leaves it unsaid.
    @Test func aThirdHolderWithTheMainAccountsTaggedMailboxIsTheSamePerson() {
        let main = account("fresh_cat", email: "fresh_cat@aol.com")
        let alt = account("fresh_cat_alt", screen: "lazy_fox_77", twitterName: "Ada Vorquist")
        let tagged = account("freshcat2", email: "fresh_cat+accounts@aol.com")
        let report = detect([main, alt, tagged] + strangers(500))
        #expect(report.usernameClusters.contains { $0.contains("fresh_cat") && $0.contains("fresh_cat_alt") })
        let stranger = account("lucy_w", email: "fresh_cat@example.org", first: "Lucy", last: "Wren")
        #expect(
            !detect([main, alt, stranger] + strangers(500)).usernameClusters.contains { $0.contains("fresh_cat_alt") })
    }

    @Test func aSharedNumberIsNotEnoughWhenManyCouldWriteIt() {
        // With twelve other Steve Adeyemis in the store, 940 still links Stephen and Steve (few would write it), but
        // 94 (two digits, as common as a year of birth) and 123 (anyone's) do not. Nor does 940 link names that
        // clash (Mary and Stephen Adeyemi).
        let otherAdeyemis = (0..<12).map { index in
            account(
                "adeyemi\(index)_\(["runs", "cooks", "sails", "reads"][index % 4])", first: "Steve", last: "Adeyemi")
        }
        func linked(_ number: String) -> Bool {
            let report = detect(
                [
                    account("s_adeyemi\(number)", email: "sadeyemi@example.net", first: "Stephen", last: "Adeyemi"),
                    account("storm\(number)", screen: "storm\(number)", twitterName: "Steve Adeyemi"),
                ] + otherAdeyemis + strangers(500))
            return report.usernameClusters == [["s_adeyemi\(number)", "storm\(number)"]]
        }
        #expect(linked("940"))
        #expect(!linked("94"))
        #expect(!linked("123"))
        // (Their handles start alike, so the two are compared.)
        let clash = detect(
            [
                account("adeyemifamily940", first: "Mary", last: "Adeyemi"),
                account("st_tw", screen: "adeyemifamous940", twitterName: "Stephen Adeyemi"),
            ] + strangers(500))
        #expect(clash.statistics.comparisons > 0)
        #expect(clash.clusters.isEmpty, "\(clash.usernameClusters)")
    }

    // MARK: - Hard negatives

    @Test func twoJohnSmithsWithDifferentMailboxesAreNotACluster() {
        let report = detect([
            account("jsmith", email: "john.smith@gmail.com", first: "John", last: "Smith"),
            account("johnsmith", email: "john.smith@yahoo.com", first: "John", last: "Smith"),
            account("john_smith", screen: "john_smith", twitterName: "John Smith"),
            account("smithj", email: "johnsmith@outlook.com", first: "John", last: "Smith"),
        ])
        #expect(report.clusters.isEmpty, "\(report.usernameClusters)")
    }

    @Test func familyMembersSharingASurnameAndDomainAreNotACluster() {
        let report = detect([
            account("msmith", email: "mary@smithfamily.net", first: "Mary", last: "Smith"),
            account("jsmith", email: "john@smithfamily.net", first: "John", last: "Smith"),
            account("asmith", email: "alan.smith@smithfamily.net", first: "Alan", last: "Smith"),
            account("alana", email: "alana.smith@smithfamily.net", first: "Alana", last: "Smith"),
            account("mark_smith", screen: "mark_smith", twitterName: "Mark Smith"),
            account("mary_smith", screen: "marysmith", twitterName: "Mary Smith"),
        ])
        // Mary and @marysmith are the one pair a careful reader could suspect, but `marysmith` is just her name.
        #expect(report.clusters.isEmpty, "\(report.usernameClusters)")
    }

    @Test func aNameFromASmallWorldIsCommonerThanItsWordsSay() {
        // Two different Kenji Fujitas, both with the handle their name spells. Each word alone is carried by ten
        // accounts of four thousand, so `g × f / n` makes the name rare and the shared handle telling. But here the
        // Kenjis' other family names and the Fujitas' other given names are the same few, over and over: one small
        // world of people, in which a second Kenji Fujita is likely.
        let pair = [
            account("kenjifujita", email: "kenji@example.jp", first: "Kenji", last: "Fujita"),
            account("kenjifujita_2", screen: "kenjifujita", twitterName: "Kenji Fujita"),
        ]
        let given = ["Kenji", "Haruto", "Yui", "Sota", "Hina"]
        let family = ["Fujita", "Sato", "Tanaka", "Ito", "Kato"]
        var world: [MatchableAccount] = []
        for (g, first) in given.enumerated() {
            for (f, last) in family.enumerated() where !(g == 0 && f == 0) {
                for copy in 0..<2 { world.append(account("w\(g)\(f)\(copy)", first: first, last: last)) }
            }
        }
        // The same counts without a world: Kenji and Fujita each beside eight different, once-seen words.
        var scattered: [MatchableAccount] = []
        for (index, ending) in ["a", "e", "i", "o", "u", "y", "ae", "ei"].enumerated() {
            scattered.append(account("k\(index)", first: "Kenji", last: "Zorvath\(ending)"))
            scattered.append(account("f\(index)", first: "Quillon\(ending)", last: "Fujita"))
        }
        let filler = strangers(4000)
        #expect(detect(pair + scattered + filler).usernameClusters == [["kenjifujita", "kenjifujita_2"]])
        let inWorld = detect(pair + world + filler)
        #expect(inWorld.clusters.isEmpty, "\(inWorld.usernameClusters)")
    }

    @Test func aRareFamilyNameKeepsToTheWorldOfItsPartners() {
        // Two Erika Vismaras with the handle their name spells. Vismara's other four carriers each have a given name
        // seen with it once, so its own partners tell nothing of where it comes from, and Erika goes with names seen
        // once too. Counted against everyone, the name is rare and the shared handle telling. But Vismara's partners
        // (Giuseppe, Chiara, Marco, Paola) go with the same few family names over and over: one small world, in
        // which a second Erika Vismara is likely.
        let pair = [
            account("erikavismara", email: "erika@example.it", first: "Erika", last: "Vismara"),
            account("erikavismara_2", screen: "erikavismara", twitterName: "Erika Vismara"),
        ]
        let partners = ["Giuseppe", "Chiara", "Marco", "Paola"]
        var vismaras = partners.enumerated().map { index, first in
            account("v\(index)", email: "v\(index)@example.it", first: first, last: "Vismara")
        }
        for (index, ending) in ["a", "e", "i", "o", "u", "y", "ae", "ei"].enumerated() {
            vismaras.append(account("e\(index)", first: "Erika", last: "Zorvath\(ending)"))
        }
        var world: [MatchableAccount] = []
        for (g, first) in partners.enumerated() {
            for (f, last) in ["Rossi", "Bianchi", "Russo", "Ferrari"].enumerated() {
                for copy in 0..<2 { world.append(account("w\(g)\(f)\(copy)", first: first, last: last)) }
            }
        }
        // The same counts without a world: each partner beside eight different, once-seen family names.
        var scattered: [MatchableAccount] = []
        for (g, first) in partners.enumerated() {
            for (f, ending) in ["a", "e", "i", "o", "u", "y", "ae", "ei"].enumerated() {
                scattered.append(account("s\(g)\(f)", first: first, last: "Quillon\(g)\(ending)"))
            }
        }
        let filler = strangers(4000)
        #expect(
            detect(pair + vismaras + scattered + filler).usernameClusters == [["erikavismara", "erikavismara_2"]])
        let inWorld = detect(pair + vismaras + world + filler)
        #expect(inWorld.clusters.isEmpty, "\(inWorld.usernameClusters)")
    }

    @Test func aMiddleWordTheNamesDoNotShareMakesNoNamesakes() {
        // "Andy Marie Elilmalu" and Andrew Elilmalu agree on Elilmalu; the store's other Andy and Andrew Maries
        // could not have made `andrewelilmalu8`, so they do not make the handle common. A second Andrew Elilmalu
        // would.
        let pair = [
            account("andrewelilmalu805", email: "ae805@example.me", first: "Andrew", last: "Elilmalu"),
            account("andrewelilmalu8", screen: "andrewelilmalu8", twitterName: "Andy Marie Elilmalu"),
        ]
        let maries = (0..<5).map { index in
            account(
                "marie\(index)", email: "m\(index)@example.org", first: index % 2 == 0 ? "Andy" : "Andrew",
                last: "Marie")
        }
        let filler = strangers(2000)
        #expect(detect(pair + maries + filler).usernameClusters == [["andrewelilmalu8", "andrewelilmalu805"]])
        let namesakes = (0..<5).map { index in
            account("elilmalu\(index)", email: "e\(index)@example.org", first: "Andrew", last: "Elilmalu")
        }
        #expect(detect(pair + namesakes + filler).clusters.isEmpty)
        // A third family word that agrees counts as the name without the other two, whichever account comes first:
        // the five Andrew Elilmalus are namesakes of "Andrew Marie Rose Elilmalu" too.
        let longName = [
            account("andrewelilmalu805", email: "ae805@example.me", first: "Andrew", last: "Elilmalu"),
            account("andrewelilmalu8", screen: "andrewelilmalu8", twitterName: "Andrew Marie Rose Elilmalu"),
        ]
        #expect(detect(longName + namesakes + filler).clusters.isEmpty)
        #expect(detect(longName.reversed() + namesakes + filler).clusters.isEmpty)
    }

    @Test func aWordHandleManyCouldMakeIsNotTelling() {
        // `quietcherry` on two nameless accounts: telling in a store of other handles, not in one where handles are
        // made of the same few words (`quietotter`, `happycherry`, …).
        let pair = [
            account("quietcherry", email: "qc@example.org"),
            account("quietcherry_2", screen: "quietcherry", twitterName: "🍒"),
        ]
        let nouns = ["otter", "falcon", "maple", "comet", "river", "tiger", "pixel", "ember", "cloud", "lotus"]
        let adjectives = ["happy", "lucky", "sleepy", "brave", "misty", "rusty", "lazy", "salty", "fuzzy", "jolly"]
        var crowd: [MatchableAccount] = []
        for (index, noun) in nouns.enumerated() {
            crowd.append(account("quiet\(noun)\(index)", email: "q\(index)@example.com"))
            crowd.append(account("\(adjectives[index])cherry", email: "c\(index)@example.com"))
            crowd.append(account("\(adjectives[index])berry\(index)", email: "b\(index)@example.com"))
        }
        let filler = strangers(300)
        #expect(detect(pair + filler).usernameClusters == [["quietcherry", "quietcherry_2"]])
        let crowded = detect(pair + crowd + filler)
        #expect(crowded.clusters.isEmpty, "\(crowded.usernameClusters)")
    }

    @Test func aSharedGivenNameTellsWhichOfAWordHandlesCarriersItIs() {
        // Six other `tinyunicorn` handles make `tinyunicorn71` one that a stranger could have by chance (one in a
        // hundred of them writing 71); that the stranger is also a Juan is far less likely. A given name the
        // handle spells (`juanunicorn71`; a nickname of it too), or whose initial begins or ends it (`jayunicorn71`), is
        // no such second chance: the handle's carriers are Juans (or Js) already.
        let crowd = (10..<16).map { account("tinyunicorn\($0)", email: "tu\($0)@example.com") }
        func pair(first: String?, twitterName: String = "Juan Calvo", handle: String = "tinyunicorn")
            -> [MatchableAccount]
        {
            [
                account("\(handle)71", email: "jc71@example.org", first: first),
                account("\(handle)_71", screen: "\(handle)_71", twitterName: twitterName),
            ]
        }
        let filler = strangers(300)
        #expect(detect(pair(first: "Juan") + crowd + filler).usernameClusters == [["tinyunicorn71", "tinyunicorn_71"]])
        let nameless = detect(pair(first: nil) + crowd + filler)
        #expect(nameless.clusters.isEmpty, "\(nameless.usernameClusters)")
        // A nickname is a weaker agreement (Bill is one of many Williams, and Liam and Willie are Williams too).
        let nicknamed = detect(pair(first: "Bill", twitterName: "William Calvo") + crowd + filler)
        #expect(nicknamed.clusters.isEmpty, "\(nicknamed.usernameClusters)")
        func carriers(of handle: String) -> [MatchableAccount] {
            (10..<16).map { account("\(handle)\($0)", email: "\(handle).\($0)@example.com") }
        }
        for handle in ["juanunicorn", "jayunicorn", "unicornj"] {
            let spelling = detect(pair(first: "Juan", handle: handle) + carriers(of: handle) + filler)
            #expect(spelling.clusters.isEmpty, "\(handle): \(spelling.usernameClusters)")
        }
        // Only the name's own initial: `bravecomet` begins like Bill, not like William.
        let williams = detect(
            pair(first: "William", twitterName: "William Calvo", handle: "bravecomet") + carriers(of: "bravecomet")
                + filler)
        #expect(williams.usernameClusters == [["bravecomet71", "bravecomet_71"]])
        let billcomet = detect(
            pair(first: "William", twitterName: "William Calvo", handle: "billcomet") + carriers(of: "billcomet")
                + filler)
        #expect(billcomet.clusters.isEmpty, "\(billcomet.usernameClusters)")
    }

    @Test func particlesExplainHandlesOnlyBesideAName() {
        // `the`, `la`, `st`, `and` are name fragments beside a name (`thenishakumar`); on their own they do not make
        // `thelaststand` a handle anyone could have.
        let report = detect(
            [
                account("thelaststand", email: "tls@example.org"),
                account("thelaststand_2", screen: "thelaststand", twitterName: "🎬"),
            ] + strangers(300))
        #expect(report.usernameClusters == [["thelaststand", "thelaststand_2"]])
    }

    @Test func aHandleSpellingOutUmlautsIsExplainedByTheName() {
        // `felixmueller` is Felix Müller's name as handles write it, not letters that only he would pick: among
        // six Felix Müllers it says nothing.
        let others = namesakes("Felix", "Müller", ["fm84", "fmue77", "fxm_de", "muef21", "fmhh"])
        let report = detect(
            [
                account("felixmueller", email: "felix@example.de", first: "Felix", last: "Müller"),
                account("felixmueller_2", screen: "felixmueller", twitterName: "Felix Müller"),
            ] + others + strangers(300))
        #expect(report.clusters.isEmpty, "\(report.usernameClusters)")
    }

    @Test func aParticleBesideTheNameIsExplainedByTheName() {
        // `juandeltoro` is Juan del Toro's name with its particle (which the name's words leave out): among three
        // others of the name it says nothing. A word that is no part of the name still does (`torocomet`).
        let report = detect(
            [
                account("juandeltoro", email: "j.t@example.org", first: "Juan", last: "del Toro"),
                account("juandeltoro_2", screen: "juandeltoro", twitterName: "Juan del Toro"),
                account("torocomet", email: "toro@example.org", first: "Juan", last: "del Toro"),
                account("torocomet_2", screen: "torocomet", twitterName: "Juan del Toro"),
            ] + namesakes("Juan", "del Toro", ["jt81", "jdeltoro", "juan_t"]) + strangers(300))
        #expect(report.usernameClusters == [["torocomet", "torocomet_2"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func aShortenedNameInAHandleIsExplainedByTheName() {
        // `tundeolawale` is Babatunde Olawale's name shortened (and `enzorusso` Vincenzo Russo's): among three others
        // of the name it says nothing. A word that is no part of the name still does (`olawalecomet`).
        let report = detect(
            [
                account("tundeolawale", email: "b.o@example.org", first: "Babatunde", last: "Olawale"),
                account("tundeolawale_2", screen: "tundeolawale", twitterName: "Babatunde Olawale"),
                account("enzorusso", email: "v.r@example.org", first: "Vincenzo", last: "Russo"),
                account("enzorusso_2", screen: "enzorusso", twitterName: "Vincenzo Russo"),
                account("olawalecomet", email: "olawale@example.org", first: "Babatunde", last: "Olawale"),
                account("olawalecomet_2", screen: "olawalecomet", twitterName: "Babatunde Olawale"),
            ] + namesakes("Babatunde", "Olawale", ["bo81", "bolawale", "babs_o"])
                + namesakes("Vincenzo", "Russo", ["vr84", "vrusso", "vince_r"]) + strangers(300))
        #expect(report.usernameClusters == [["olawalecomet", "olawalecomet_2"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func aWordManyOfTheNamesCarriersPutInFrontIsTheirs() {
        // Twelve Sergios begin their handles with `checo` (what Sergios go by in Mexico; the nickname table does not
        // know it): for two Sergio Juárez among three others, `checojuarez` is a handle any of them could pick. A
        // word no Sergio uses (`comet`) still tells.
        let families = [
            "garcia", "lopez", "perez", "ramirez", "torres", "flores", "rivera", "gomez", "diaz", "reyes", "morales",
            "ortiz",
        ]
        let checos = families.map { family in
            account("checo\(family)", email: "checo.\(family)@example.mx", first: "Sergio", last: family.capitalized)
        }
        let others = namesakes("Sergio", "Juárez", ["sj81", "sjuarez", "sergio_j"])
        let report = detect(
            [
                account("checojuarez", email: "sj@example.org", first: "Sergio", last: "Juárez"),
                account("checojuarez_2", screen: "checojuarez", twitterName: "Sergio Juárez"),
                account("cometjuarez", email: "cj@example.org", first: "Sergio", last: "Juárez"),
                account("cometjuarez_2", screen: "cometjuarez", twitterName: "Sergio Juárez"),
            ] + checos + others + strangers(3_000))
        #expect(report.usernameClusters == [["cometjuarez", "cometjuarez_2"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func aSecondFirstNameInAHandleIsTheName() {
        // `analuizamoreira` is made from the whole name of Ana Luiza Moreira, the second first name too: among three
        // others of the name it says nothing. A word that is no part of the name still does (`moreiracomet`).
        let report = detect(
            [
                account("analuizamoreira", email: "alm@example.org", first: "Ana Luiza", last: "Moreira"),
                account("alm_1990", email: "analuiza.moreira@example.com", first: "Ana Luiza", last: "Moreira"),
                account("moreiracomet", email: "amc@example.org", first: "Ana Luiza", last: "Moreira"),
                account("alm_comet", email: "moreira.comet@example.com", first: "Ana Luiza", last: "Moreira"),
            ] + namesakes("Ana Luiza", "Moreira", ["alm81", "amoreira", "ana_m"]) + strangers(300))
        #expect(report.usernameClusters == [["alm_comet", "moreiracomet"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func aScreenNameCutAtTwitterLimitIsTheHandleItWasCutFrom() {
        // `margaretelectri` is `margaretelectricpiano` as far as Twitter's 15 characters go, and the given names
        // agree: one person. `cosmicviolet_st` could be the cut of either of two handles (two people's), and
        // `amberwolfpiani` stops short of the limit (someone's own handle, not a cut): only resemblances, and a
        // given name alone does not carry them.
        let report = detect(
            [
                account("margaretelectricpiano", email: "mh@example.org", first: "Margaret", last: "Hill"),
                account("margaretelectri", screen: "margaretelectri", twitterName: "Margaret"),
                account("cosmicvioletstorm", email: "jh@example.org", first: "Jessica", last: "Hill"),
                account("cosmicvioletstorms", email: "jm@example.org", first: "Jessica", last: "Moreno"),
                account("cosmicviolet_st", screen: "cosmicviolet_st", twitterName: "Jessica"),
                account("amberwolfpianist", email: "ab@example.org", first: "Amber", last: "Lyle"),
                account("amberwolfpiani", screen: "amberwolfpiani", twitterName: "Amber"),
            ] + strangers(300))
        #expect(
            report.usernameClusters == [["margaretelectri", "margaretelectricpiano"]],
            "\(report.clusters.map(\.reasons))")
        #expect(
            report.clusters.first?.reasons == [
                "Twitter display name matches account name by given name only and screen name resembles username"
            ])
    }

    @Test func aNameOneSlipFromAMuchCommonerNameIsATypo() {
        // `Kaaen` is `Karen` with one letter slipped (Jaro–Winkler 0.89, under the typo threshold), and the store
        // holds Karens far more often than Kaaens: one person, whose mailbox name says so at two providers. `Rose`
        // and `Ross` are one slip apart too, but each is a name many carry: Anthony Rose and Anthony Ross are two
        // people, however alike their handles.
        let karens = ["Oduya", "Pemberton", "Quill", "Rasmus", "Sato", "Tiller"].map { family in
            account(
                "karen.\(family.lowercased())", email: "k.\(family.lowercased())@example.org", first: "Karen",
                last: family)
        }
        let roses = ["Ada", "Bea", "Cal", "Dov", "Eli", "Fay"].flatMap { given in
            ["Rose", "Ross"].map { family in
                account(
                    "\(given.lowercased())\(family.lowercased())", email: "\(given.lowercased()).\(family)@example.org",
                    first: given, last: family)
            }
        }
        let report = detect(
            [
                account("karen_liko", email: "karenliko05@likonet.com", first: "Karen", last: "Liko"),
                account("karen_liko301", email: "karenliko05@gmail.com", first: "Kaaen", last: "Liko"),
                account("anthonypeach", email: "anthony_rose_667@icloud.com", first: "Anthony", last: "Rose"),
                account("anthonypeach82", email: "ross.anthony82@gmail.com", first: "Anthony", last: "Ross"),
            ] + karens + roses + strangers(300))
        #expect(report.usernameClusters == [["karen_liko", "karen_liko301"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func aLastLetterDroppedFromARareNameIsATypo() {
        // `Ebeaynik` is `Ebeaynike` without its last letter, and `Pere` is `Perez` without its: spellings nobody else
        // in the store has, so slips. `Paula` beside `Paul` is a name of its own (Paul is a very common given name),
        // and so is `Ferreir` beside `Ferreira` when five accounts each carry both: two people each time, however
        // alike their handles.
        let ferreirs = ["Bia", "Caio", "Duda", "Enzo"].flatMap { given in
            ["Ferreir", "Ferreira"].map { family in
                account(
                    "\(given.lowercased())\(family.lowercased())",
                    email: "\(given.lowercased()).\(family.lowercased())@example.br",
                    first: given, last: family)
            }
        }
        let report = detect(
            [
                account("ebeaynikenwosu", email: "ebeaynike.nwosu88@example.ng", first: "Ebeaynik", last: "Nwosu"),
                account("losttiger88", email: "ebeaynikenwosu@example.com", first: "Ebeaynike", last: "Nwosu"),
                account("marisolperez71", email: "marisol@example.mx", first: "Marisol", last: "Pere"),
                account("sunnyflor71", email: "marisolperez71@example.com", first: "Marisol", last: "Perez"),
                account("pwexford", email: "paul@wexfordhome.net", first: "Paul", last: "Wexford"),
                account("goldenfinch", email: "pwexford@example.com", first: "Paula", last: "Wexford"),
                account("anaferreira", email: "ana.f@example.br", first: "Ana", last: "Ferreir"),
                account("quietlark", email: "anaferreira@example.com", first: "Ana", last: "Ferreira"),
            ] + ferreirs + strangers(300))
        #expect(
            report.usernameClusters == [["ebeaynikenwosu", "losttiger88"], ["marisolperez71", "sunnyflor71"]],
            "\(report.clusters.map(\.reasons))")
        #expect(report.clusters.allSatisfy { $0.reasons.first?.contains("apart from a typo") == true })
    }

    @Test func aShortWordManyOfTheNamesCarriersPutInFrontIsTheirs() {
        // Twelve Tundes begin their handles with `baba` (they are Babatundes; the nickname table does not know it):
        // for two Tunde Baloguns among three others, the three letters `bab` in front of `tundebalogun` say nothing.
        // Three letters no Tunde uses (`zoq`) still tell.
        let families = [
            "adeyemi", "okafor", "adebayo", "okonkwo", "eze", "nwosu", "afolabi", "ogunleye", "bello", "lawal",
            "ibrahim", "olawale",
        ]
        // Their handles have no family name after the word (`babatunde84`), so only how handles begin says so.
        let babas = families.enumerated().map { index, family in
            account(
                "babatunde\(index + 80)", email: "\(family).t@example.ng", first: "Tunde", last: family.capitalized)
        }
        let report = detect(
            [
                account("babatundebalogun", email: "tb@example.org", first: "Tunde", last: "Balogun"),
                account("babatundebalogun_2", screen: "babatundebalogun", twitterName: "Tunde Balogun"),
                account("zoqtundebalogun", email: "zq@example.org", first: "Tunde", last: "Balogun"),
                account("zoqtundebalogun_2", screen: "zoqtundebalogun", twitterName: "Tunde Balogun"),
            ] + babas + namesakes("Tunde", "Balogun", ["tb81", "tbalogun", "tunde_b"]) + strangers(3_000))
        #expect(
            report.usernameClusters == [["zoqtundebalogun", "zoqtundebalogun_2"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func handlesThatDifferWhereTheNamesDifferAreNoEvidence() {
        // Chiara Montgrini and Chiara Montgiani are a typo apart, and so are `chiaramontgrini` and `chiaramontgiani`:
        // each handle spells its own name, so their likeness is the names' and nobody else's. When the names differ
        // by a typo and the handles do not follow it (`chiarabelloviani84` and `chiarabellovinai84` for Chiara Belloviani
        // and Chiara Bellovianu), the handles tell.
        let report = detect(
            [
                account("chiaramontgrini", email: "cm@example.org", first: "Chiara", last: "Montgrini"),
                account("chiaramontgiani", email: "cmg@example.org", first: "Chiara", last: "Montgiani"),
                account("chiarabelloviani84", email: "cb@example.org", first: "Chiara", last: "Belloviani"),
                account("chiarabellovinai84", email: "cbm@example.org", first: "Chiara", last: "Bellovianu"),
                // One name written two ways is no difference: `qzjurgenmuller` and `qzjurgenmueller` still tell.
                account("qzjurgenmuller", email: "jm@example.org", first: "Jürgen", last: "Müller"),
                account("qzjurgenmueller", email: "jm2@example.org", first: "Jurgen", last: "Mueller"),
            ] + strangers(300))
        #expect(
            report.usernameClusters == [
                ["chiarabelloviani84", "chiarabellovinai84"], ["qzjurgenmueller", "qzjurgenmuller"],
            ],
            "\(report.clusters.map(\.reasons))")
    }

    @Test func aFamilyNameWrittenAsAnInitialIsAsRareAsTheStoreSays() {
        // Rohit N. and Rohit N share `rohitnaidu`. Naidu is most of the store's family names with an N, so among
        // three other Rohit N.'s the handle says little. A family name the store does not know (`noqvist`) is
        // letters only its carrier would write.
        // Their handles do not spell it: only the names say how common it is.
        let naidus = ["Anil", "Suresh", "Lakshmi", "Ravi", "Kiran", "Deepa", "Vijay", "Meena", "Arjun", "Sita"].map {
            given in
            account("\(given.lowercased())_k", email: "\(given.lowercased()).k@example.in", first: given, last: "Naidu")
        }
        let report = detect(
            [
                account("rohitnaidu", email: "rn@example.org", first: "Rohit", last: "N."),
                account("rn_1", email: "rohitnaidu@example.com", first: "Rohit", last: "N"),
                account("rohitnoqvist", email: "rnq@example.org", first: "Rohit", last: "N."),
                account("rnq_1", email: "rohitnoqvist@example.com", first: "Rohit", last: "N"),
            ] + naidus + namesakes("Rohit", "N.", ["rn81", "rnair", "rohit_n"]) + strangers(300))
        #expect(report.usernameClusters == [["rnq_1", "rohitnoqvist"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func aFamilyNameCutWithTheScreenNameIsAsCommonAsTheNamesItBegins() {
        // `realbeatazielin` is `beatazielin…` cut at Twitter's 15 characters. For two Beata Z.'s among three more,
        // `zielin` is no surprise where the Z family names are Zielinskas and Zielinskis: the cut spells out the
        // initial as any Beata Z. of the store would. `realgretayarrow` cuts nothing the store's family names begin
        // with: its letters still tell, and Greta Y. is one person.
        let zielinskis = (0..<12).map { index in
            account(
                "zk\(index)", email: "zk\(index)@example.org", first: ["Anna", "Ewa", "Piotr", "Jan"][index % 4],
                last: index % 2 == 0 ? "Zielinska" : "Zielinski")
        }
        let report = detect(
            [
                account("beatazielinska_", email: "beata.z@example.org", first: "Beata", last: "Z."),
                account("bz_tw", screen: "realbeatazielin", twitterName: "Beata Z."),
                account("gretayarrowby", email: "greta.y@example.org", first: "Greta", last: "Y."),
                account("gy_tw", screen: "realgretayarrow", twitterName: "Greta Y."),
            ] + zielinskis + namesakes("Beata", "Z.", ["bz_one", "bz_two", "bz_three"]) + strangers(300))
        #expect(report.usernameClusters == [["gretayarrowby", "gy_tw"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func handlesALetterApartSayNothingForANameWithAnInitial() {
        // Two Pooja S.'s with `poojasubrnaan` and `poojasubrshan`: handles two letters apart, which for a name with
        // an initial are two family names spelled out (Subrnaan and Subrshan), not one mistyped. The same handle
        // still tells.
        let report = detect(
            [
                account("poojasubrnaan", email: "pooja.one@example.org", first: "Pooja", last: "S"),
                account("poojasubrshan", email: "pooja.two@example.org", first: "Pooja", last: "S."),
                account("poojasolvenki", email: "pooja.three@example.org", first: "Pooja", last: "S."),
                account("ps_2", email: "poojasolvenki@example.com", first: "Pooja", last: "S"),
                // A given name written as an initial leaves the family name to tell: a letter apart is a typo.
                account("rvenkataraman84", email: "rv@example.org", first: "R.", last: "Venkataraman"),
                account("rvenkataramn84", email: "ravi.v@example.org", first: "Ravi", last: "Venkataraman"),
            ] + strangers(300))
        #expect(
            report.usernameClusters == [["poojasolvenki", "ps_2"], ["rvenkataraman84", "rvenkataramn84"]],
            "\(report.clusters.map(\.reasons))")
    }

    @Test func aShortWordInFrontOfTheNameIsAsRareAsHandlesBeginningWithIt() {
        // Twenty handles of the store begin with `real`: for two Steven Scotts among four others, `realsteven_s` is
        // a handle any of them could pick. A word no other handle begins with (`zorg`) tells.
        let words = [
            "madridfan", "talker", "gamer", "foodie", "artist", "coder", "runner", "dreamer", "writer", "baker",
            "hiker", "singer", "dancer", "reader", "skater", "surfer", "player", "maker", "thinker", "painter",
        ]
        let reals = words.enumerated().map { index, word in
            account(
                "real\(word)", email: "fan\(index)@example.com", first: "Kaxo",
                last: "Zedd" + letterTag(index))
        }
        let report = detect(
            [
                account("realsteven_s", email: "ss1@example.org", first: "Steven", last: "Scott"),
                account("steven_s_1", email: "realsteven_s@example.com", first: "Steven", last: "Scott"),
                account("zorgsteven_s", email: "ss2@example.org", first: "Steven", last: "Scott"),
                account("steven_s_2", email: "zorgsteven_s@example.com", first: "Steven", last: "Scott"),
            ] + reals + namesakes("Steven", "Scott", ["ss81", "sscott", "steven_sc", "stevens84"]) + strangers(300))
        #expect(
            report.usernameClusters == [["steven_s_2", "zorgsteven_s"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func whatTheNamesCarriersWriteBeforeTheirFamilyNameIsTheirs() {
        // Twelve Deepus write `deepak` in front of their family names (Deepu is what Deepaks go by; the nickname
        // table does not know it): for two Deepu Shahs and another, `deepakshah` is a handle any of them could
        // pick. Letters no Deepu writes (`zorb` in `zorbkovac` for two Deepu Kovacs) still tell.
        let families = [
            "patel", "kumar", "singh", "gupta", "sharma", "verma", "mehta", "joshi", "rao", "reddy", "iyer", "nair",
        ]
        let deepaks = families.map { family in
            account("deepak\(family)", email: "d.\(family)@example.in", first: "Deepu", last: family.capitalized)
        }
        let report = detect(
            [
                account("deepakshah", email: "ds1@example.org", first: "Deepu", last: "Shah"),
                account("deepu_s_1", email: "deepakshah@example.com", first: "Deepu", last: "Shah"),
                account("zorbkovac", email: "dk1@example.org", first: "Deepu", last: "Kovac"),
                account("deepu_k_1", email: "zorbkovac@example.com", first: "Deepu", last: "Kovac"),
            ] + deepaks + namesakes("Deepu", "Shah", ["ds81"]) + strangers(300))
        #expect(report.usernameClusters == [["deepu_k_1", "zorbkovac"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func aHandleWrittenWhereTheNameGoesIsNoName() {
        // A Twitter display name left as the screen name (`red_samurai06`) names nobody: thirty other
        // `redsamurai…` handles make it a handle strangers share. A handle no other account comes near still tells.
        let samurais = (10..<40).map { number in
            account(
                "redsamurai\(number)", email: "rs\(number)@example.com", first: "Kaxo",
                last: "Zedd" + letterTag(number))
        }
        let report = detect(
            [
                account("red_samurai06", email: "mk@example.org"),
                account("red_samurai061", screen: "red_samurai06", twitterName: "red_samurai06"),
                // An underscore alone: `red_samurai` is no name either.
                account("red_samurai", email: "mk2@example.org"),
                account("red_samurai_2", screen: "red_samurai", twitterName: "red_samurai"),
                account("qwylbrontax06", email: "qb@example.org"),
                account("qwylbrontax061", screen: "qwylbrontax06", twitterName: "qwylbrontax06"),
            ] + samurais + strangers(300))
        #expect(
            report.usernameClusters == [["qwylbrontax06", "qwylbrontax061"]], "\(report.clusters.map(\.reasons))")
    }

    @Test func aNameWithALetterWrittenTwiceIsTheSameName() {
        // Vara and Vaara Moququma share the email local part `vmoququma71` at two providers: a typo in the name, not
        // two people.
        let report = detect(
            [
                account("vmoququma71", email: "vmoququma71@example.net", first: "Vara", last: "Moququma"),
                account("vmoququma712286", email: "vmoququma71@example.org", first: "Vaara", last: "Moququma"),
            ] + strangers(300))
        #expect(
            report.usernameClusters == [["vmoququma71", "vmoququma712286"]], "\(report.clusters.map(\.reasons))")
        #expect(report.clusters.first?.reasons.contains { $0.contains("typo") } == true)
    }

    @Test func firstNamesOfTwoWordsMustAgreeOnBoth() {
        // A shared mailbox scores 0.99 when the names agree and 0.75 when they clash. `Van Minh` and `Văn Vinh`
        // (Vietnamese), `Tae Woo` and `Tae Soo` (Korean) are different people's names; `Mary Ann` and `Mary`, or
        // `Mary Ann` and `Mary J`, leave a middle name out or shorten it.
        func score(_ first: (String, String), _ second: (String, String)) -> Double? {
            detect([
                account("one", email: "shared.box@gmail.com", first: first.0, last: first.1),
                account("two", email: "sharedbox+2@gmail.com", first: second.0, last: second.1),
            ]).clusters.first?.score
        }
        #expect(score(("Van Minh", "Nguyen"), ("Văn Vinh", "Nguyễn")) == 0.75)
        #expect(score(("Tae Woo", "Kim"), ("Tae Soo", "Kim")) == 0.75)
        #expect(score(("Van Minh", "Nguyen"), ("Văn Minh", "Nguyễn")) == 0.99)
        #expect(score(("Mary Ann", "Smith"), ("Mary", "Smith")) == 0.99)
        #expect(score(("Mary Ann", "Smith"), ("Mary J", "Smith")) == 0.99)
        #expect(score(("Mary Ann", "Smith"), ("Mary Anne", "Smith")) == 0.99)
        // Written as one word or two, hyphenated or not, after a title or not; an initial in any script.
        #expect(score(("Jean-Pierre", "Dupont"), ("Jean Pierre", "Dupont")) == 0.99)
        #expect(score(("Dr Jean-Pierre", "Dupont"), ("Jean Pierre", "Dupont")) == 0.99)
        #expect(score(("Min-ji", "Kim"), ("Min Ji", "Kim")) == 0.99)
        #expect(score(("Анна М", "Иванова"), ("Анна Мария", "Иванова")) == 0.99)
    }

    @Test func aHyphenatedNamesPartsExplainHandles() {
        // `jpdupont` and `pierredupont` are Jean-Pierre Dupont's name as handles write it: among three others of the
        // name they say nothing.
        let others = namesakes("Jean-Pierre", "Dupont", ["jpd84", "jp_dupont_fr", "dupontj"])
        let report = detect(
            [
                account("jpdupont", email: "jp@example.org", first: "Jean-Pierre", last: "Dupont"),
                account("jpdupont_2", screen: "jpdupont", twitterName: "Jean-Pierre Dupont"),
                account("pierredupont", email: "pd@example.org", first: "Jean-Pierre", last: "Dupont"),
                account("pierredupont_2", screen: "pierredupont", twitterName: "Jean-Pierre Dupont"),
            ] + others + strangers(300))
        #expect(report.clusters.isEmpty, "\(report.usernameClusters)")
    }

    @Test func sameHandleWithClashingNamesIsNotACluster() {
        let report = detect([
            account("luckycomet96", email: "e.miller@example.org", first: "Evelyn", last: "Miller"),
            account("pat_tw", screen: "luckycomet96", twitterName: "Patricia Owens"),
        ])
        #expect(report.clusters.isEmpty)
    }

    @Test func similarDigitsAreDifferentHandles() {
        let report = detect([
            account("solar2001", email: "solar2001@example.org"),
            account("solar24", email: "solar24@example.com"),
        ])
        #expect(report.clusters.isEmpty)
    }

    @Test func aSiteSuggestionBehindANumberIsTheSameHandle() throws {
        // `csmits95` was taken when Courtney registered by email, so the site suggested `csmits957`; only her name
        // and that handle say she is the Twitter user @csmits95.
        let report = detect(
            strangers(200) + [
                account(
                    "csmits95", first: "Courtney", last: "Smits", screen: "csmits95", twitterName: "Courtney Smits"),
                account("csmits957", email: "hiddenphoenix@example.com", first: "Courtney", last: "Smits"),
                // One digit behind one digit is another number: Heather's `hwarren3` and `hwarren344` stay apart.
                account(
                    "hwarren3", first: "Heather", last: "Warren", screen: "hwarren3", twitterName: "Heather Warren"),
                account("hwarren344", email: "blue.kettle@example.com", first: "Heather", last: "Warren"),
            ])
        #expect(report.usernameClusters == [["csmits95", "csmits957"]])
        let reasons = try #require(report.clusters.first?.reasons)
        #expect(reasons == ["account names match and usernames resemble each other"])
    }

    @Test func aMailboxStoredByOlderRulesIsWorkedOutAgain() {
        // Stored forms made by rules that knew no gmail dots: the report recomputes them from the addresses. The same
        // forms marked as the current rules' are taken as stored.
        func pair(version: Int) -> [MatchableAccount] {
            ["j.o.h.n+x@gmail.com", "john@googlemail.com"].enumerated().map { index, email in
                var made = account("user\(index)", email: email)
                made.emailMailbox = email
                made.emailRulesVersion = version
                return made
            }
        }
        #expect(detect(pair(version: Mailbox.rulesVersion - 1)).usernameClusters == [["user0", "user1"]])
        #expect(detect(pair(version: Mailbox.rulesVersion)).clusters.isEmpty)
    }

    @Test func aClippedGivenNameIsANickname() throws {
        // `Kel` is in no nickname table, but it is Kelly clipped (other Kellys show that Kelly is a given name); `Dan`
        // is in the table as Daniel's, so the table says it is not Danica's.
        let kellys = ["Ames", "Boyd", "Chu"].map { family in
            account("kelly\(family.lowercased())", first: "Kelly", last: family)
        }
        let danicas = ["Ames", "Boyd", "Chu"].map { family in
            account("danica\(family.lowercased())", first: "Danica", last: family)
        }
        let report = detect(
            strangers(200) + kellys + danicas + [
                account("brokenconcert62", email: "brokenconcert62@example.edu", first: "Kelly", last: "Kronenberg"),
                account(
                    "brokenconcert62_2", email: "kellyk355@example.com", first: "Kel", last: "Kronenberg",
                    screen: "brokenconcert62", twitterName: "Kel Kronenberg"),
                account("quietharbor71", email: "quietharbor71@example.edu", first: "Danica", last: "Whitcombe"),
                account(
                    "quietharbor71_2", email: "dwhitcombe@example.com", first: "Dan", last: "Whitcombe",
                    screen: "quietharbor71", twitterName: "Dan Whitcombe"),
            ])
        #expect(report.usernameClusters == [["brokenconcert62", "brokenconcert62_2"]])
        let reasons = try #require(report.clusters.first?.reasons)
        #expect(reasons.contains { $0.contains("nickname") }, "\(reasons)")
    }

    @Test func aNameMadeHandleCountsWhenNoMailboxSaysOtherwise() throws {
        // Nadia Okafor's `nadiaokafor` on both accounts. In a store of sixty, 2 × 2 / 60 ≈ 0.07 other accounts are
        // expected to carry her name: too many for a handle her name explains to count on its own (0.045), few
        // enough when her Twitter account has no mailbox to say it is someone else's (0.18; scored as resembling
        // handles). With a second mailbox it does not count, nor in a store of twenty (2 × 2 / 20 = 0.2).
        let email = account("nadiaokafor", email: "n.okafor@example.com", first: "Nadia", last: "Okafor")
        func twitter(email: String?) -> MatchableAccount {
            account("nadiaokafor_2", email: email, screen: "nadiaokafor", twitterName: "Nadia Okafor")
        }
        let withoutMailbox = detect(strangers(58) + [email, twitter(email: nil)])
        #expect(withoutMailbox.usernameClusters == [["nadiaokafor", "nadiaokafor_2"]])
        let reasons = try #require(withoutMailbox.clusters.first?.reasons)
        #expect(reasons == ["Twitter display name matches account name (a rare name) and screen name matches username"])
        #expect(withoutMailbox.clusters.first?.score == 0.85)
        let withMailbox = detect(strangers(58) + [email, twitter(email: "nadia.o@example.org")])
        #expect(withMailbox.clusters.isEmpty)
        let smallerStore = detect(strangers(18) + [email, twitter(email: nil)])
        #expect(smallerStore.clusters.isEmpty)
    }

    @Test func aNicknameLoosensWhatASharedNameMadeHandleNeeds() throws {
        // `kateokafor` on Kate Okafor's account and on Katherine Okafor's Twitter account. Its letters are all name:
        // what counts is how many others could have made it, 0.7 × 2 / store size (the Okafors are two, either given
        // name one). A stranger making it would also have had to write the name the other way, so up to 1/8 of an
        // account (not 1/32) may have, and up to 1/4 when the Twitter account has no mailbox.
        let kate = account("kateokafor", email: "kate.o@example.com", first: "Kate", last: "Okafor")
        func katherine(email: String?) -> MatchableAccount {
            account(
                "kateokafor_2", email: email, first: "Katherine", last: "Okafor", screen: "kateokafor",
                twitterName: "Katherine Okafor")
        }
        // A store of 10: 0.14, too many with two mailboxes, few enough with one (0.2 other carriers of the name are
        // above the 0.18 that a missing mailbox alone allows).
        #expect(detect(strangers(8) + [kate, katherine(email: "katherine.okafor@example.org")]).clusters.isEmpty)
        #expect(
            detect(strangers(8) + [kate, katherine(email: nil)]).usernameClusters == [["kateokafor", "kateokafor_2"]])
        // A store of 5: 0.28, too many either way.
        #expect(detect(strangers(3) + [kate, katherine(email: nil)]).clusters.isEmpty)
        // Exact names get no such allowance: two Kate Okafors with two mailboxes in a store of 30 (0.7 × 2 × 2 / 30).
        let otherKate = account(
            "kateokafor_2", email: "kate.okafor@example.org", first: "Kate", last: "Okafor", screen: "kateokafor",
            twitterName: "Kate Okafor")
        #expect(detect(strangers(28) + [kate, otherKate]).clusters.isEmpty)
        // A store of 30: 0.047.
        let linked = detect(strangers(28) + [kate, katherine(email: "katherine.okafor@example.org")])
        #expect(linked.usernameClusters == [["kateokafor", "kateokafor_2"]])
        let reasons = try #require(linked.clusters.first?.reasons)
        #expect(
            reasons.contains { $0.contains("nickname") && $0.contains("screen name matches username") }, "\(reasons)")
        #expect(linked.clusters.first?.score == 0.85)
    }

    @Test func aNameThatIsTheAccountsOwnHandleIsNoName() throws {
        // A Twitter display name left as the screen name, pre-filled as the first name: no name, so no clash with
        // Amber Johnson's, and the handle both carry links them.
        let twitter = account(
            "thedrunkbasket1", email: "thedrunkbasket@web.example", first: "thedrunkbasket", screen: "thedrunkbasket",
            twitterName: "thedrunkbasket")
        let amber = account("thedrunkbasket", first: "Amber", last: "Johnson")
        #expect(detect(strangers(40) + [twitter, amber]).usernameClusters == [["thedrunkbasket", "thedrunkbasket1"]])
        // A rare one-word name that is none of its account's handles stays a name, and clashes.
        let zebulon = account(
            "thedrunkbasket1", email: "thedrunkbasket@web.example", first: "Zebulon", screen: "thedrunkbasket",
            twitterName: "Zebulon")
        #expect(detect(strangers(40) + [zebulon, amber]).clusters.isEmpty)
        // Melissa, whose username is `melissa`, keeps her name: it clashes with Joan Brown's.
        let melissa = account("melissa", email: "melissa@web.example", first: "Melissa")
        let joan = account("melissa_2", first: "Joan", last: "Brown", screen: "melissa", twitterName: "Joan Brown")
        let explanations = try ExplanationTests.explain(strangers(40) + [melissa, joan], ["melissa", "melissa_2"])
        #expect(explanations.first?.findings[1].text == "the names differ")
    }

    @Test func aHandleSpellingTheFamilyNameOfASharedGivenNameIsTelling() {
        // Steph Frank's `sfrank92` is also the screen name of a Twitter account that says only "Steph". Thirty Franks
        // and six Stephs are in the store, but another Steph who is also a Frank is unlikely: the handle counts.
        let franks = [
            "Alan", "Bella", "Carl", "Dora", "Earl", "Fay", "Gus", "Hope", "Ivan", "Jill", "Kurt", "Lena",
            "Max", "Nina", "Otto", "Pia", "Rex", "Sue", "Ted", "Vera", "Walt", "Xena", "Yuri", "Zoe", "Abe", "Bea",
            "Cy",
            "Di", "Ed", "Flo",
        ].map { given in
            account(
                "\(given.lowercased())_frank", email: "\(given.lowercased()).frank@example.net", first: given,
                last: "Frank")
        }
        let stephs = ["Olsen", "Ruiz", "Park", "Nagy", "Berg", "Costa"].map { family in
            account(
                "steph_\(family.lowercased())", email: "s.\(family.lowercased())@example.net", first: "Steph",
                last: family)
        }
        let report = detect(
            strangers(200) + franks + stephs + [
                account("sfrank92", email: "sfrank92@herringtech.edu", first: "Steph", last: "Frank"),
                account("sfrank92_46", first: "Steph", screen: "sfrank92", twitterName: "Steph"),
            ])
        #expect(report.usernameClusters == [["sfrank92", "sfrank92_46"]])
    }

    // MARK: - Scale guards

    @Test func aGiantChainIsCappedAndSaysSo() throws {
        // 30 addresses of one gmail mailbox, linked through the mailbox block's neighbours: capped.
        var settings = DetectionSettings()
        settings.maximumClusterSize = 20
        let accounts = (0..<30).map { index in account("user\(index)", email: "shared+\(index)@gmail.com") }
        let report = detect(accounts, settings: settings)
        let cluster = try #require(report.clusters.first)
        // Clusters join whole, links of one score in the order of the usernames (not of the accounts' places): the
        // chain of mailbox neighbours makes one of 20, at the cap, and one of 10, which may not join it.
        #expect(cluster.members.count == 20)
        #expect(report.clusters.map(\.members.count) == [20, 10])
        #expect(report.clusters.allSatisfy { $0.isCapped })
        #expect(
            report.clusters.map { $0.reasons.last } == [
                "cluster reached the 20-account cap: links to further accounts were not followed",
                "a link to another cluster was not followed: together they would pass the 20-account cap",
            ])
        #expect(report.clusters.allSatisfy { $0.members.count <= 20 })
        #expect(report.statistics.cappedClusters == 2)
        #expect(report.statistics.notes.contains { $0.contains("cap of 20 accounts or would have passed it") })
    }

    @Test func aClusterAtTheCapSaysItReachedIt() throws {
        var settings = DetectionSettings()
        settings.maximumClusterSize = 2
        let accounts = (0..<3).map { index in account("user\(index)", email: "shared+\(index)@gmail.com") }
        let report = detect(accounts, settings: settings)
        let cluster = try #require(report.clusters.first)
        #expect(report.clusters.count == 1)
        #expect(cluster.members.count == 2)
        #expect(
            cluster.reasons.last == "cluster reached the 2-account cap: links to further accounts were not followed")
        #expect(report.statistics.cappedClusters == 1)
    }

    @Test func oversizedBlocksAreComparedByNeighboursAndReported() {
        var settings = DetectionSettings()
        settings.maximumBlockSize = 10
        settings.neighbourWindow = 3
        let accounts = (0..<40).map { index in
            account("john\(index)x", email: "john\(index)@example\(index).org", first: "John", last: "Smith")
        }
        let report = detect(accounts, settings: settings)
        #expect(report.clusters.isEmpty)
        #expect(report.statistics.oversizedBlocks > 0)
        #expect(
            report.statistics.largestOversizedBlocks.contains {
                $0.description == "name \"john smith\"" && $0.size == 40
            })
        // Neighbours only: far fewer comparisons than 40 × 39 / 2 per block.
        #expect(report.statistics.comparisons < 40 * 39 / 2)
        #expect(
            report.statistics.notes.contains {
                $0.contains("3 nearest neighbours only (2 in name and handle-prefix blocks, none in handle blocks")
            })
    }

    @Test func looseBlocksUseTheirOwnWindow() {
        // Forty John Smiths share a name block and nothing else: with a loose window of 1 each is compared with its
        // next neighbour only (39 comparisons); with 4, 39 + 38 + 37 + 36.
        func comparisons(_ window: Int) -> Int {
            var settings = DetectionSettings()
            settings.maximumBlockSize = 10
            settings.looseNeighbourWindow = window
            let accounts = (0..<40).map { index in
                account("u\(index)", email: "x\(index)@example\(index).org", first: "John", last: "Smith")
            }
            return detect(accounts, settings: settings).statistics.comparisons
        }
        #expect(comparisons(1) == 39)
        #expect(comparisons(4) == 39 + 38 + 37 + 36)
    }

    /// A handle that more accounts share than a block may hold (`mike`, forty addresses) puts none of them up for
    /// comparison: it says nothing on its own. Two of them who share a rare name as well still meet in their name's
    /// block.
    @Test func aHandleThatManyShareComparesNobody() throws {
        var settings = DetectionSettings()
        settings.maximumBlockSize = 10
        let families: [String] = (0..<40).map { index in
            "Zq" + String(UnicodeScalar(UInt8(97 + index % 26))) + (index < 26 ? "" : "ov")
        }
        var accounts = (0..<40).map { index in
            account("user\(index)", email: "mike@example\(index).org", first: "Mike", last: families[index])
        }
        let report = detect(accounts, settings: settings)
        #expect(report.statistics.comparisons == 0 && report.clusters.isEmpty)
        #expect(
            report.statistics.largestOversizedBlocks.contains { $0.description == "handle \"mike\"" && $0.size == 40 })
        #expect(
            report.statistics.notes.contains { $0.contains("none in handle blocks: a handle that many accounts share") }
        )
        // Another Mike Zqa: the pair shares the name block (two accounts) and is compared there, once.
        accounts.append(account("user40", email: "mike@example40.org", first: "Mike", last: families[0]))
        let again = detect(accounts, settings: settings)
        #expect(again.statistics.comparisons == 1)
        let explanation = try #require(try ExplanationTests.explain(accounts, ["user0", "user40"]).first)
        #expect(explanation.wasCompared)
        #expect(
            explanation.sharedBlocks.contains { $0.description == "handle \"mike\"" && !$0.compared && $0.commonHandle }
        )
        #expect(
            ReportRenderer.render([explanation], as: .text).contains(
                "handle \"mike\": 41 accounts, a handle so many share that it compares none of them"))
        #expect(
            explanation.sharedBlocks.contains { $0.description.hasPrefix("name ") && $0.compared },
            "\(explanation.sharedBlocks)")
    }

    /// In a handle-prefix block too large to compare all pairs, sorted by name, neighbours whose names cannot agree
    /// are passed over: family names that differ from their first letter, none of them the other's given name.
    /// Family names sharing their first letter (a typo or an initial keeps it) are still compared, and so are names
    /// written the other way round.
    @Test func neighboursWhoseNamesCannotAgreeAreNotCompared() throws {
        // Twenty handles of 12 characters sharing their first 10.
        let handles: [String] = (0..<20).map { index in
            let letter = String(UnicodeScalar(UInt8(97 + index % 10)))
            return "stargazerf" + (index < 10 ? "a" : "b") + letter
        }
        func accounts(_ family: (Int) -> String, given: (Int) -> String = { _ in "Wendy" }) -> [MatchableAccount] {
            (0..<20).map { index in
                account(handles[index], first: given(index), last: family(index))
            }
        }
        var settings = DetectionSettings()
        settings.maximumBlockSize = 10
        let letters = (0..<20).map { String(UnicodeScalar(UInt8(97 + $0))).uppercased() }
        // Twenty family names, each clashing with the two after it in the order of their text (the block's order):
        // no first letter the other's first or second letter (or W, as in Wendy), more than four letters apart: every
        // neighbour passed over. Added in another order: the block's order is the names', not the store's.
        let clashing = [
            "Tapp", "Abbot", "Clark", "Kemp", "Dunn", "Egan", "Fox", "Zink", "Hill", "Jekyll", "Lutz", "Moss", "Nash",
            "Price", "Quinn", "Shaw", "Ufford", "Vance", "Xiong", "Yost",
        ]
        let apart = accounts { clashing[$0] }
        #expect(detect(apart, settings: settings).statistics.comparisons == 0)
        let explanation = try #require(try ExplanationTests.explain(apart, [handles[0], handles[1]]).first)
        #expect(!explanation.wasCompared)
        #expect(explanation.sharedBlocks.allSatisfy { !$0.compared })
        // One first letter: each compared with its next two neighbours, 19 + 18 pairs.
        let alike = accounts { "S" + letters[$0].lowercased() + "ostrander" }
        #expect(detect(alike, settings: settings).statistics.comparisons == 19 + 18)
        // Given names that are the other's family name (Ostrander Bell and Bell Ostrander): compared.
        let swapped = accounts({ $0 % 2 == 0 ? "Bell" : "Ostrander" }, given: { $0 % 2 == 0 ? "Ostrander" : "Bell" })
        // (Each pair twice: in the handle-prefix block, and in the name block the two ways of writing it share.)
        #expect(detect(swapped, settings: settings).statistics.comparisons == 2 * (19 + 18))
        // A name missing on one side says nothing against the other: compared.
        let unnamed = handles.map { account($0, screen: $0) }
        #expect(detect(unnamed, settings: settings).statistics.comparisons > 0)
    }

    /// A handle shared by a few accounts whose family names differ from the first letter compares none of them: a
    /// shared handle cannot lift clashing names to the minimum. A letter added in front (a typo: Centeno and
    /// Icenteno) or a name missing keeps the pair compared, and the explanation says which blocks passed it over.
    @Test func aSharedHandleDoesNotCompareClashingNames() throws {
        let clashing = [
            account("wadams", email: "stargazer@example1.org", first: "Wendy", last: "Adams"),
            account("wbrown", email: "stargazer@example2.org", first: "Wendy", last: "Brown"),
            account("wclark", email: "stargazer@example3.org", first: "Wendy", last: "Clark"),
        ]
        #expect(detect(clashing).statistics.comparisons == 0)
        let explanation = try #require(try ExplanationTests.explain(clashing, ["wadams", "wbrown"]).first)
        #expect(!explanation.wasCompared && !explanation.isLinked)
        #expect(explanation.sharedBlocks.contains { $0.description == "handle \"stargazer\"" && $0.namesClash })
        let text = ReportRenderer.render([explanation], as: .text)
        #expect(text.contains("not compared: their family names differ from the first letter, which a shared handle"))
        #expect(text.contains("handle \"stargazer\": 3 accounts, not compared: their family names differ"))
        let json = ReportRenderer.render([explanation], as: .json)
        #expect(json.contains("\"names_clash\": true"))
        // A letter in front, a missing family name, a missing name: three pairs with wadams compared.
        let near =
            clashing + [
                account("wcenteno", email: "stargazer@example4.org", first: "Wendy", last: "Icenteno"),
                account("wicenteno", email: "stargazer@example5.org", first: "Wendy", last: "Centeno"),
                account("wendy", email: "stargazer@example6.org", first: "Wendy"),
                account("nobody", email: "stargazer@example7.org"),
            ]
        // Wendy alone and the nameless one with every other account (6 + 5); Centeno with Icenteno and with Clark,
        // and Clark with Icenteno (whose second letter is Clark's first).
        #expect(detect(near).statistics.comparisons == 6 + 5 + 3)
        // Typos that change the first letter, and names written the other way round through nicknames (Peggy is
        // Margaret's, Bill William's): compared, and linked.
        for (first, second) in [
            (("Wendy", "Carlsen"), ("Wendy", "Karlsen")), (("Wendy", "Christensen"), ("Wendy", "Kristensen")),
            (("Peggy", "William"), ("Bill", "Margaret")),
        ] {
            let pair = [
                account("a", email: "quillmarrow@example1.org", first: first.0, last: first.1),
                account("b", email: "quillmarrow@example2.org", first: second.0, last: second.1),
            ]
            let report = detect(pair)
            #expect(report.statistics.comparisons == 1, "\(first) and \(second)")
        }
        // With a minimum of 0.5, clashing names and the same handle are a link: compared.
        var lenient = DetectionSettings()
        lenient.minimumScore = 0.5
        #expect(detect(clashing, settings: lenient).statistics.comparisons == 3)
    }

    /// A pair sharing a mailbox is compared in a handle block whatever its names: when more than 12 accounts share
    /// the mailbox, the two may not be neighbours in its block.
    @Test func aSharedMailboxKeepsClashingNamesCompared() {
        let families = [
            "Adams", "Brown", "Clark", "Dunn", "Evans", "Fox", "Gray", "Hill", "Irwin", "Jones", "King", "Lee",
            "Moore", "Nash",
        ]
        let accounts = families.enumerated().map { index, family in
            let dots = String(repeating: ".", count: index)
            return account(
                String(format: "u%02d", index), email: "x\(dots)y@gmail.com", first: "Wendy", last: family,
                screen: index == 0 || index == 13 ? "zzhandle" : nil)
        }
        // The mailbox block: 14 accounts, each with its next 5 (55 pairs); u00 and u13 also through their handle.
        #expect(detect(accounts).statistics.comparisons == 55 + 1)
    }

    @Test func aPairSharingSeveralBlocksIsScoredOnce() {
        // One mailbox (Gmail dots), one handle and a name: several blocks of two, one comparison.
        let twice = [
            account("annmarsh", email: "ann.marsh@gmail.com", first: "Ann", last: "Marsh"),
            account("ann_marsh", email: "annmarsh@gmail.com", first: "Ann", last: "Marsh", screen: "annmarsh"),
        ]
        let report = detect(twice)
        #expect(report.usernameClusters == [["ann_marsh", "annmarsh"]])
        #expect(report.statistics.comparisons == 1)
        // In a name block too large to compare in full, neighbours that also share a mailbox are scored in the
        // mailbox block only: still 39 comparisons for forty John Smiths, and the pair is linked.
        var settings = DetectionSettings()
        settings.maximumBlockSize = 10
        settings.looseNeighbourWindow = 1
        var smiths = (0..<40).map { index in
            account("u\(index)", email: "x\(index)@example\(index).org", first: "John", last: "Smith")
        }
        smiths[1] = account("u1", email: "x.0@gmail.com", first: "John", last: "Smith")
        smiths[0] = account("u0", email: "x0@gmail.com", first: "John", last: "Smith")
        let smithReport = detect(smiths, settings: settings)
        #expect(smithReport.statistics.comparisons == 39)
        #expect(smithReport.usernameClusters == [["u0", "u1"]])
    }

    @Test func theNameParseCachesGiveEachSpellingItsOwnWords() {
        // Each name field is parsed once per spelling and kept in a cache that starts with room for 512. Fillers
        // with 6,000 distinct given and family names make the caches grow several times and fill them; then
        // pairs that share a mailbox come in, one account with the name in its name fields, the other as a Twitter
        // display name (another cache). A shared mailbox scores 0.99 when the names agree and 0.75 when they clash,
        // so a cache that gave a spelling another one's words would change a score.
        func letters(_ number: Int) -> String {
            var number = number
            var text = ""
            repeat {
                text.append(Character(Unicode.Scalar(UInt8(97 + number % 26))))
                number /= 26
            } while number > 0
            return text
        }
        var accounts = (0..<6_000).map { index in
            account(
                "filler\(index)", email: "filler\(index)@example.net", first: "Gi" + letters(index),
                last: "Fa" + letters(index * 7 + 3))
        }
        let names = (0..<30).map { index in ("Ot" + letters(index * 31 + 5) + "a", "Vas" + letters(index * 17 + 2)) }
        for (index, name) in names.enumerated() {
            accounts.append(account("pair\(index)a", email: "pair\(index)@gmail.com", first: name.0, last: name.1))
            accounts.append(
                account(
                    "pair\(index)b", email: "pair.\(index)+tw@gmail.com", screen: "pair\(index)b",
                    twitterName: "\(name.0) \(name.1)"))
        }
        let report = detect(accounts)
        #expect(report.accountsScanned == 6_060)
        #expect(Set(report.usernameClusters) == Set((0..<names.count).map { ["pair\($0)a", "pair\($0)b"] }))
        #expect(report.clusters.allSatisfy { $0.score == 0.99 })
    }

    // MARK: - Contract

    @Test func reportIsIndependentOfInputOrder() {
        let accounts =
            [
                account("john", email: "j.o.h.n+x@gmail.com", first: "John", last: "Smith"),
                account("johnny_tw", email: "john@googlemail.com", screen: "johnny_tw", twitterName: "Johnny"),
                account("jsmith84", email: "john.smith@example.org", first: "John", last: "Smith"),
                account("jsmith84_2", screen: "jsmith84", twitterName: "John Smith"),
                account("kim1", email: "kim.lee.1990@gmail.com", first: "Kimberly", last: "Leeward"),
                account("kim2", email: "kimlee1990+shop@gmail.com"),
            ] + strangers(50)
        let forward = ReportRenderer.render(detect(accounts), as: .json)
        let backward = ReportRenderer.render(detect(accounts.reversed()), as: .json)
        var generator = SeededGenerator(seed: 42)
        let shuffled = ReportRenderer.render(detect(accounts.shuffled(using: &generator)), as: .json)
        #expect(forward == backward)
        #expect(forward == shuffled)
    }

    /// Display names beyond ASCII parsed ahead by `DuplicateDetector.Preparer` (on the reading thread of `accounts
    /// duplicates`, batch after batch) give the report that the detector gives when it parses them itself: umlauts
    /// spelled out, a hyphenated given name in parts, a handle posing as a name left out, and a name that comes
    /// again in a later batch read from the detector's cache.
    @Test func displayNamesParsedAheadGiveTheSameReport() {
        let accounts =
            [
                account("juergenmueller", email: "jm@example.de", first: "Jürgen", last: "Müller"),
                account("jm_tw", screen: "juergenmueller", twitterName: "Jürgen Müller 🇩🇪"),
                account("jp_tw", screen: "pierredupont", twitterName: "Jean-Pierre Dupönt"),
                account("zoe1", screen: "zoe_a", twitterName: "Zoë Ångström 🌻"),
                account("jpdupont", email: "pierredupont@example.fr", first: "Jean-Pierre", last: "Dupönt"),
                account("gamer_tw", screen: "wittygamer33", twitterName: "wittygamer33 | Nürse"),
                account("zoe2", screen: "zoeangstrom", twitterName: "Zoë Ångström 🌻"),
                account("rocket", screen: "rocket_fan", twitterName: "🚀"),
            ] + strangers(50)
        let direct = ReportRenderer.render(detect(accounts), as: .json)
        var detector = DuplicateDetector()
        var preparer = DuplicateDetector.Preparer()
        var parsedAhead: [Int] = []
        for start in stride(from: 0, to: accounts.count, by: 3) {
            let prepared = preparer.prepare(
                MatchableAccountBatch(Array(accounts[start..<min(start + 3, accounts.count)])))
            parsedAhead.append(prepared.displayNamesParsedAhead)
            detector.add(prepared)
        }
        // Batch by batch: Jürgen Müller and Jean-Pierre Dupönt; Zoë Ångström and Nürse (a handle, parsed all the
        // same); 🚀 but not Zoë Ångström again (met already); then the strangers, all ASCII.
        #expect(parsedAhead.prefix(3) == [2, 2, 1])
        #expect(parsedAhead.dropFirst(3).allSatisfy { $0 == 0 })
        let report = detector.report(generatedAt: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(ReportRenderer.render(report, as: .json) == direct)
        #expect(report.usernameClusters.contains(["jm_tw", "juergenmueller"]))
        #expect(report.usernameClusters.contains(["jp_tw", "jpdupont"]))
    }

    @Test func clustersAreOrderedByScoreThenSmallestUsername() {
        let report = detect([
            account("zed", email: "zed.one@gmail.com", first: "Zed", last: "Quill"),
            account("zed2", email: "zedone@gmail.com", first: "Zed", last: "Quill"),
            account("amy", email: "amy.x@gmail.com"),
            account("amy2", email: "amyx@gmail.com"),
            account("bea", email: "bea.y@gmail.com"),
            account("bea2", email: "beay@gmail.com"),
        ])
        #expect(report.usernameClusters == [["zed", "zed2"], ["amy", "amy2"], ["bea", "bea2"]])
        #expect(report.clusters.map(\.score) == [0.99, 0.95, 0.95])
    }

    @Test func minimumScoreBoundsEveryCluster() {
        let accounts = [
            account("rjones77", email: "robert.jones@example.org", first: "Robert", last: "Jones"),
            account("bob", email: "rjones77@yahoo.com", first: "Bob", last: "Jones"),
            account("amy", email: "amy.x@gmail.com"),
            account("amy2", email: "amyx@gmail.com"),
        ]
        for minimum in [0.0, 0.5, 0.9, 0.96, 1.0] {
            var settings = DetectionSettings()
            settings.minimumScore = minimum
            let report = detect(accounts, settings: settings)
            #expect(report.clusters.allSatisfy { $0.score >= minimum }, "\(minimum)")
            #expect(report.minimumScore == minimum)
        }
        var strict = DetectionSettings()
        strict.minimumScore = 0.96
        #expect(detect(accounts, settings: strict).clusters.isEmpty)
    }

    /// `--min-score 0` is accepted (the range is 0 to 1), but a pair with nothing in common that counts scores 0: no
    /// evidence, so no link. Two strangers whose handles share their first ten letters meet in a handle-prefix block
    /// and are compared; at the minimum 0 they were reported as one person, a cluster with no reason and no field
    /// that matched.
    @Test func aPairWithNothingInCommonIsNoLinkEvenAtMinimumZero() throws {
        var anything = DetectionSettings()
        anything.minimumScore = 0
        let strangers = [
            account("christopher1", email: "anna.garcia@example.org", first: "Anna", last: "Garcia"),
            account("christopher2", email: "bob.jones@example.net", first: "Bob", last: "Jones"),
        ]
        let report = detect(strangers, settings: anything)
        #expect(report.clusters.allSatisfy { !$0.reasons.isEmpty }, "\(report.clusters.map(\.reasons))")
        #expect(report.clusters.allSatisfy { $0.members.allSatisfy { !$0.matchedFields.isEmpty } })
        #expect(report.usernameClusters == [])
        // and `--explain` says why: compared (a handle-prefix block), not linked
        var detector = DuplicateDetector(settings: anything)
        detector.add(contentsOf: strangers)
        let explanation = try #require(try detector.explain(strangers.map(\.id)).first)
        #expect(explanation.wasCompared && !explanation.isLinked && explanation.score == 0)
        #expect(
            ReportRenderer.render([explanation], as: .text).contains(
                "not linked: score 0.0, nothing in common that counts"))
    }

    /// A minimum outside [0, 1] is taken as the nearest end, and one that is no number as the default, so that no
    /// report says it was made at a minimum of `nan` or links at -5.
    @Test(arguments: [(-5.0, 0.0), (7.0, 1.0), (Double.nan, 0.7), (-Double.infinity, 0.0), (0.85, 0.85)])
    func aMinimumOutsideTheRangeIsTakenAsItsNearestEnd(given: Double, taken: Double) {
        var settings = DetectionSettings()
        settings.minimumScore = given
        #expect(settings.minimumScore == taken)
    }

    @Test func clusterIDsDependOnMembersOnly() throws {
        let pair = [account("amy", email: "amy.x@gmail.com"), account("amy2", email: "amyx@gmail.com")]
        let alone = try #require(detect(pair).clusters.first)
        let crowded = try #require(detect(pair + strangers(20)).clusters.first)
        #expect(alone.id == crowded.id)
        #expect(alone.id.hasPrefix("dup-") && alone.id.count == 20)
        let other = try #require(
            detect([account("amy", email: "amy.x@gmail.com"), account("amy3", email: "a.myx@gmail.com")]).clusters.first
        )
        #expect(other.id != alone.id)
    }

    @Test func onlyClustersOfTwoOrMore() {
        let report = detect(strangers(100))
        #expect(report.accountsScanned == 100)
        #expect(report.clusters.isEmpty)
    }
}

/// A small deterministic generator for shuffles (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Two letters for `number` (`aa`, `ba`, …): names of filler accounts that differ without digits, which would make
/// them handles rather than names.
private func letterTag(_ number: Int) -> String {
    String(UnicodeScalar(UInt8(97 + number % 26))) + String(UnicodeScalar(UInt8(97 + number / 26 % 26)))
}

/// The byte form of the rule that a username registration made from a screen name stands for nothing more.
@Suite(.offThePool)
struct ScreenNameUsernameTests {
    @Test(arguments: [
        ("jsmith84_2", "jsmith84", true), ("JSmith84_12", "jsmith84", true), ("jsmyth84_2", "jsmith84", false),
        ("jsmith84_2", "JSMITH84", true),
        ("jsmith84_", "jsmith84", false), ("jsmith84_2a", "jsmith84", false), ("jsmith842", "jsmith84", false),
        ("jsmith84", "jsmith84", false), ("jsmith8_2", "jsmith84", false), ("zoë_2", "Zoë", true),
        ("zoë_x", "Zoë", false), ("ZOË_2", "zoë", true), ("_2", "", true),
    ])
    func usernameMadeFromScreenName(_ username: String, _ screen: String, _ made: Bool) {
        var username = username
        var screen = screen
        let found = username.withUTF8 { u in screen.withUTF8 { s in PreparedAccounts.isMadeFromScreenName(u, s) } }
        #expect(found == made)
    }
}
