import AccountMatching
import TestSupport
import Testing

/// Normalising a normalised mailbox changes nothing (`fuzz-mailbox` checks it), whatever order the text that ends a
/// domain comes in (rules version 6).
@Suite(.offThePool)
struct MailboxIdempotenceTests {
    /// A last domain label made only of characters UTS #46 ignores (a soft hyphen, a variation selector) goes with
    /// the full stop before it: `a@example.org.\u{AD}` is the mailbox of `a@example.org`, provider rules and all.
    @Test(arguments: [
        ("ann@example.org.\u{AD}", "ann@example.org"),
        ("ann@example.org.\u{FE0F}", "ann@example.org"),
        ("a.n.n+news@gmail.com.\u{AD}", "ann@gmail.com"),
    ])
    func ignoredLastLabelLeavesNoTrailingDot(address: String, expected: String) {
        let once = Mailbox.normalize(address)
        #expect(once == expected)
        #expect(once.flatMap(Mailbox.normalize) == once, "normalize is not idempotent")
        #expect(Mailbox.match(address, expected) != nil)
    }

    /// An address with nothing but ignored characters after `@` has no domain: no mailbox (as `ann@` has none).
    @Test func onlyIgnoredCharactersAfterTheAtSignIsNoMailbox() {
        #expect(Mailbox.normalize("ann@\u{AD}") == nil)
    }

    /// White space that dropped dots bare at the front of a Gmail local part goes too (`fuzz-mailbox` found it):
    /// `\u{0C}.\u{0C}n[sm@gmail.com.` is the mailbox of `n[sm@gmail.com`, not of a form-feed-led one a second pass trims.
    @Test func whiteSpaceThatDroppedDotsBareAtTheFrontIsTrimmed() {
        let address = "\u{0C}.\u{0C}n[sm@gmail.com."
        let once = Mailbox.normalize(address)
        #expect(once.flatMap(Mailbox.normalize) == once, "normalize is not idempotent")
        #expect(once == "n[sm@gmail.com")
        #expect(Mailbox.match(address, "n[sm@gmail.com") != nil)
    }

    /// White space in front of a trailing ideographic full stop, which the trim does not reach, goes with it.
    @Test func whiteSpaceBeforeATrailingIdeographicFullStopIsTrimmed() {
        let address = "ann@example.org \u{3002}"
        let once = Mailbox.normalize(address)
        #expect(once.flatMap(Mailbox.normalize) == once, "normalize is not idempotent")
        #expect(once == "ann@example.org")
    }

    /// White space (or an ignored character) that begins a domain goes too: Fastmail's subdomain addressing would
    /// move it to the front of the mailbox (`x@ ann.fastmail.com` made ` ann@fastmail.com`, which a second pass trims).
    @Test func whiteSpaceThatBeginsADomainIsDropped() {
        for address in ["hiking@ ann.fastmail.com", "hiking@\u{AD}ann.fastmail.com"] {
            let once = Mailbox.normalize(address)
            #expect(once == "ann@fastmail.com")
            #expect(once.flatMap(Mailbox.normalize) == once)
        }
    }

    /// The `@` that splits an address is the last code point `@`: followed by a combining mark it is one character
    /// with the mark, and a split on characters took an earlier `@`, then Punycode made the mark's label ASCII and
    /// the second pass split elsewhere. (Since rules version 8 an address with two `@` has no mailbox at all.)
    @Test func anAtSignFollowedByACombiningMarkStillSplits() {
        let once = Mailbox.normalize("ann@\u{730}x.example")
        #expect(once?.hasPrefix("ann@xn--") == true, "\(String(describing: once))")
        #expect(once.flatMap(Mailbox.normalize) == once)
        #expect(Mailbox.normalize("ann@b@\u{730}x.example") == nil)
    }

    /// NFKC can make white space at an end: the Greek tonos (U+0384) is a space and a combining acute accent. It is
    /// trimmed after NFKC too.
    @Test func whiteSpaceThatNFKCMakesIsTrimmed() {
        let once = Mailbox.normalize(" \u{384}ann@example.org ")
        #expect(once?.unicodeScalars.first?.properties.isWhitespace == false)
        #expect(once.flatMap(Mailbox.normalize) == once)
    }
}
