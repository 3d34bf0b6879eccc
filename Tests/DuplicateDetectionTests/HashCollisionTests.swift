import AccountModel
import Testing

@testable import DuplicateDetection

/// Mailboxes and handles are compared by their FNV-1a hashes first, and FNV-1a collisions are cheap to make: the two
/// 16-letter words below have the same 64-bit FNV-1a (found in half a minute with Pollard's rho on two cores), and so
/// has anything that follows them alike (`…@example.com`). Someone who picks such a handle or mailbox must not be
/// reported as the person who holds the other: sameness is decided by the text.
@Suite
struct HashCollisionTests {
    static let word = "dhpcednpmicggbhe"
    static let collidingWord = "gmfnhmlaefmnlkcn"
    /// Another colliding pair, with ten letters in common in front (a handle must begin like another to be
    /// compared with it at all, and to share a block of handles so beginning).
    static let handle = "catloverjoedbjnhdjllckginc"
    static let collidingHandle = "catloverjobiebomdiibglemod"

    /// The two words collide, and so do the mailboxes made from them (else these tests would prove nothing).
    @Test func theWordsCollide() {
        #expect(FNV1a.hash(Self.word) == FNV1a.hash(Self.collidingWord))
        #expect(FNV1a.hash(Self.word + "@example.com") == FNV1a.hash(Self.collidingWord + "@example.com"))
        #expect(Self.word != Self.collidingWord)
        #expect(FNV1a.hash(Self.handle) == FNV1a.hash(Self.collidingHandle))
    }

    /// `account` makes an id from the username's FNV-1a: colliding usernames need ids of their own.
    static func withID(_ account: MatchableAccount, _ digit: Character) -> MatchableAccount {
        var account = account
        account.id = UserID(uncheckedRawValue: "00000000-0000-4000-8000-00000000000\(digit)")
        return account
    }

    @Test func mailboxesWhoseHashesCollideAreNotTheSameMailbox() throws {
        // Local parts past the longest handle compared (64 bytes): only the mailboxes can link the two.
        let tail = String(repeating: "a", count: 50) + "@example.com"
        let ann = account("ann_k", email: Self.word + tail, first: "Ann", last: "Kowalczyk")
        let bo = account("bo_o", email: Self.collidingWord + tail, first: "Bo", last: "Okafor")
        #expect(FNV1a.hash(Self.word + tail) == FNV1a.hash(Self.collidingWord + tail))
        let report = detect([ann, bo] + strangers(300))
        #expect(report.clusters.isEmpty, "clusters: \(report.usernameClusters), \(report.clusters.map(\.reasons))")
        // Control: the same mailbox written on both is a cluster for the reason the collision must not give.
        let same = account("bo_o", email: Self.word + tail, first: "Bo", last: "Okafor")
        let control = detect([ann, same] + strangers(300))
        #expect(control.usernameClusters == [["ann_k", "bo_o"]])
        #expect(control.clusters.first?.reasons.contains { $0.contains("same email address") } == true)
    }

    @Test func handlesWhoseHashesCollideAreNotTheSameHandle() throws {
        func person(_ username: String, _ digit: Character) -> MatchableAccount {
            Self.withID(account(username, first: "Wojciech", last: "Brzeczyszczykiewicz"), digit)
        }
        let report = detect([person(Self.word, "1"), person(Self.collidingWord, "2")] + strangers(300))
        #expect(report.clusters.isEmpty, "clusters: \(report.usernameClusters), \(report.clusters.map(\.reasons))")
        // Control: one rare name and one rare handle on two accounts is a cluster.
        let control = detect([person(Self.word, "1"), person(Self.word.uppercased(), "2")] + strangers(300))
        #expect(control.clusters.count == 1)
    }

    /// A handle's surprise (how unlikely a stranger of those names is to hold it) and how many could spell it are
    /// remembered from pair to pair, by a key of the handle: under FNV-1a a handle made to collide with another
    /// (FNV-1a steps can be undone: one hashing like a given handle is found in about 2^32 steps) would be given the
    /// other's remembered figures (r3 of session 59). The key is Swift's per-process seeded `Hasher`: the two words
    /// that collide under FNV-1a have keys of their own. (No pair whose verdict the FNV-1a key changed was built in
    /// that session: where the two handles' surprises differ, other estimates decided the ones tried.)
    @Test func rememberedFiguresAreKeptUnderAKeyNoHandleCanBeMadeToShare() {
        func key(_ text: String) -> UInt64 { Array(text.utf8).withUnsafeBufferPointer(PairScorer.memoKey) }
        #expect(key(Self.word) != key(Self.collidingWord))
        #expect(key(Self.handle) != key(Self.collidingHandle))
        #expect(key(Self.word) == key(Self.word))
    }

    /// A phrase carried by eight people (`Crypto Kingpin`) is no one's name; accounts sharing a mailbox count as one
    /// person, and two mailboxes made to collide counted so too, keeping the phrase a name below the eight (r3 of
    /// session 59).
    @Test func mailboxesWhoseHashesCollideAreTwoPeopleCarryingAPhrase() throws {
        let tail = String(repeating: "a", count: 50) + "@example.com"
        var carriers = (0..<6).map {
            account("ck\($0)", email: "ck\($0)@example.org", first: "Crypto", last: "Kingpin")
        }
        carriers.append(account("ck6", email: Self.word + tail, first: "Crypto", last: "Kingpin"))
        carriers.append(account("ck7", email: Self.collidingWord + tail, first: "Crypto", last: "Kingpin"))
        let explained = try #require(try ExplanationTests.explain(carriers + strangers(300), ["ck0", "ck1"]).first)
        let names = explained.findings.first { $0.subject == "names" }?.text ?? ""
        #expect(names.hasPrefix("no names to compare"), "\(names)")
    }

    @Test func anAltIsNotTheAltOfAHandleThatOnlyCollidesWithItsName() throws {
        let main = account("ada_v", email: "ada@vorquist.example", first: "Ada", last: "Vorquist", screen: Self.handle)
        let report = detect([main, account(Self.collidingHandle + "_alt", screen: "lazy_fox_77")] + strangers(500))
        #expect(report.clusters.isEmpty, "clusters: \(report.usernameClusters), \(report.clusters.map(\.reasons))")
        // Control: named after the handle itself, it is the alt.
        let control = detect([main, account(Self.handle + "_alt", screen: "lazy_fox_77")] + strangers(500))
        #expect(control.usernameClusters == [["ada_v", Self.handle + "_alt"]])
        #expect(control.clusters.first?.reasons == ["username marks an alt of screen name"])
    }
}
