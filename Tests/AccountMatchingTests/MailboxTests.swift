import AccountMatching
import TestSupport
import Testing

@Suite(.offThePool)
struct MailboxTests {
    @Test(arguments: [
        ("  John.Smith@Example.org ", "john.smith@example.org"),
        ("j.o.h.n+x@gmail.com", "john@gmail.com"),
        ("John@GoogleMail.com", "john@gmail.com"),
        ("ann+news@outlook.com", "ann@outlook.com"),
        // Apple's and Proton's domains document tags too, and each stays its own mailbox domain (rules version 4).
        ("ann+news@me.com", "ann@me.com"),
        ("Ann@Mac.com", "ann@mac.com"),
        ("ann+news@pm.me", "ann@pm.me"),
        ("ann+news@protonmail.com", "ann@protonmail.com"),
        ("ann+news@fastmail.com", "ann@fastmail.com"),
        // Outlook.com's country domains, Posteo and mailbox.org document plus-addressing too; each domain stays.
        ("ann+news@hotmail.co.uk", "ann@hotmail.co.uk"),
        ("ann+news@live.com.mx", "ann@live.com.mx"),
        ("ann+news@outlook.de", "ann@outlook.de"),
        ("ann+news@posteo.de", "ann@posteo.de"),
        ("ann+news@mailbox.org", "ann@mailbox.org"),
        // GMX and Yahoo do not: the tag is part of the address.
        ("ann+news@gmx.de", "ann+news@gmx.de"),
        ("ann+news@yahoo.com", "ann+news@yahoo.com"),
        // Unknown providers keep their dots and tags: not every server treats '+' as a tag.
        ("ann.b+news@example.org", "ann.b+news@example.org"),
        // ASCII white space of every kind is trimmed, as Foundation's white space and newlines are.
        ("\t\u{0B}\u{0C}J.O.H.N@GMAIL.com\r\n", "john@gmail.com"),
        ("\u{A0}Ann@Example.org\u{2003}", "ann@example.org"),
        // NFKC folds full-width forms.
        ("ＡＮＮ@example.org", "ann@example.org"),
        // IDNA: a Unicode domain is written in its ASCII (Punycode) form.
        ("anna@bücher.example", "anna@xn--bcher-kva.example"),
        ("anna@BÜCHER.example", "anna@xn--bcher-kva.example"),
        ("anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example"),
        ("anna@XN--BCHER-KVA.EXAMPLE", "anna@xn--bcher-kva.example"),
        // Composed and decomposed ü are one letter after NFKC.
        ("anna@bu\u{308}cher.example", "anna@xn--bcher-kva.example"),
        // Ideographic and full-width full stops separate labels.
        ("anna@bücher\u{3002}example", "anna@xn--bcher-kva.example"),
        ("anna@ｂüｃｈｅｒ．ｅｘａｍｐｌｅ", "anna@xn--bcher-kva.example"),
        ("taro@例え.テスト", "taro@xn--r8jz45g.xn--zckzah"),
    ])
    func normalisesByProviderRules(_ email: String, _ expected: String) {
        #expect(Mailbox.normalize(email) == expected)
    }

    @Test(arguments: [
        "no-at-sign", "@example.org", "ann@", "+tag@gmail.com",
        // an `@` beside a full-width or small commercial at, an `@` under NFKC (rules version 7: it was `ann@gmail.com`)
        "ann+@evil.org\u{FF20}gmail.com", "ann+@evil.org\u{FE6B}gmail.com", "ann\u{FF20}x@gmail.com",
        // more than one `@` of any kind (rules version 8: they were `ann@gmail.com`)
        "ann+@evil.org@gmail.com", "ann+\u{FF20}evil.org\u{FF20}gmail.com", "ann+\u{FE6B}evil.org\u{FE6B}gmail.com",
    ])
    func refusesWhatHasNoMailbox(_ email: String) {
        #expect(Mailbox.normalize(email) == nil)
    }

    /// Forms that changed with a rules version, each with the version that made it. A change of any form here must
    /// bump ``Mailbox/rulesVersion`` (so that `accounts reindex` recomputes the stored ones) and this test with it:
    /// session 50 changed the last one's form and left the version at 6 (found by a reader in session 59).
    @Test func formsPinnedToTheirRulesVersion() {
        #expect(Mailbox.rulesVersion == 8)
        let pinned: [(version: Int, email: String, form: String?)] = [
            (2, "ann@bücher.example", "ann@xn--bcher-kva.example"),
            (5, "ann@xn--gmail.com", "ann@xn--gmail.com"),
            (5, "hiking@ann.fastmail.com", "ann@fastmail.com"),
            (6, "ann@example.org.\u{AD}", "ann@example.org"),
            // the capital sharp s is `ss` in a domain, as UTS #46 maps it: `straße.de` is another domain
            (7, "ann@STRA\u{1E9E}E.de", "ann@strasse.de"),
            (7, "ann@stra\u{DF}e.de", "ann@xn--strae-oqa.de"),
            // Cherokee small letters are the capitals in a domain (lowercase maps the other way)
            (7, "x@\u{AB70}.com", "x@xn--" + (Punycode.encode("\u{13A0}") ?? "?") + ".com"),
            (7, "x@\u{13A0}.com", "x@xn--" + (Punycode.encode("\u{13A0}") ?? "?") + ".com"),
            // by code point: a mark after it is kept, and composed (`sś`, not `ß́`, another domain)
            (7, "ann@STRA\u{1E9E}\u{301}E.de", Mailbox.normalize("ann@stras\u{15B}e.de")),
            // the local part keeps lowercase's sharp s
            (7, "STRA\u{1E9E}E@example.org", "stra\u{DF}e@example.org"),
            // (session 50, unversioned until 7) dots dropped at gmail leave NFKC's space: normalised again
            (7, "\u{FF0E}\u{B4}ann@gmail.com", "\u{301}ann@gmail.com"),
            // NFKC as Unicode defines it (Foundation's on Linux left `ﾊﾟ` as `ハ` and a mark), and no mailbox for an
            // address with two `@`
            (8, "\u{FF8A}\u{FF9F}@example.jp", "\u{30D1}@example.jp"),
            (8, "\u{3131}\u{314F}@example.kr", "\u{AC00}@example.kr"),
            (8, "ann+@evil.org@gmail.com", nil),
        ]
        for (version, email, form) in pinned {
            #expect(Mailbox.normalize(email) == form, "\(email.debugDescription) (rules version \(version))")
        }
        #expect(Mailbox.normalize("ann@stras\u{15B}e.de")?.hasPrefix("ann@xn--") == true)
        #expect(Mailbox.normalize("ann@STRA\u{1E9E}\u{301}E.de") != Mailbox.normalize("ann@stra\u{DF}\u{301}e.de"))
        #expect(Mailbox.match("ann+@evil.org\u{FF20}gmail.com", "ann@gmail.com") == nil)
    }

    @Test(arguments: [
        ("Ann@Example.org", "ann@example.org", Mailbox.Match.sameAddress),
        ("ＡＮＮ@example.org", "ann@example.org", .unicodeForms),
        ("anna@bücher.example", "anna@xn--bcher-kva.example", .unicodeForms),
        ("j.o.h.n+x@gmail.com", "john@googlemail.com", .gmailRules),
        ("ann+news@outlook.com", "ann@outlook.com", .plusAddressing),
        ("ann+news@me.com", "ann@me.com", .plusAddressing),
        ("Ann+x@pm.me", "ann@pm.me", .plusAddressing),
        ("john@gmail.com", "john@googlemail.com", .gmailRules),
    ])
    func explainsWhyTwoAddressesShareAMailbox(_ first: String, _ second: String, _ expected: Mailbox.Match) {
        #expect(Mailbox.match(first, second) == expected)
        #expect(Mailbox.match(second, first) == expected)
    }

    @Test func differentMailboxesHaveNoMatch() {
        #expect(Mailbox.match("ann@example.org", "ann@example.com") == nil)
        // One provider's other domain is another mailbox (see `Mailbox.providers`).
        #expect(Mailbox.match("ann@me.com", "ann@icloud.com") == nil)
        #expect(Mailbox.match("ann+x@mac.com", "ann@me.com") == nil)
        #expect(Mailbox.match("ann@pm.me", "ann@protonmail.com") == nil)
        #expect(Mailbox.match("ann.b@example.org", "annb@example.org") == nil)
    }

    /// Plain ASCII addresses are matched on their bytes; a full-width `＠` (NFKC: `@`) sends the same two addresses
    /// the general way through Unicode folding. Both ways must give every pair the same answer, and a match exactly
    /// when the two normalise alike.
    @Test func bytesAndUnicodeFoldingMatchAlike() {
        let locals = ["john.smith", "JohnSmith", "john.smith+news", "j.o.h.n.smith", "+tag", "ann", "Ann+x", "a@b"]
        let domains = [
            "gmail.com", "GoogleMail.com", "gmail.com.", "outlook.com", "Hotmail.co.uk", "icloud.com", "me.com",
            "example.org", "Example.ORG..", "fastmail.com", "xn--bcher-kva.example", "XN--BCHER-KVA.example",
            "bücher.example",
        ]
        var addresses = locals.flatMap { local in domains.map { local + "@" + $0 } }
        addresses += ["no-at-sign", "@gmail.com", "ann@", "ann@.", " ann@example.org", "ann@example.org\t"]
        var answers = 0
        for first in addresses {
            for second in addresses {
                let match = Mailbox.match(first, second)
                let folded = Mailbox.match(
                    first.replacing("@", with: "\u{FF20}"),
                    second.replacing("@", with: "\u{FF20}"))
                #expect(match == folded, "\(first) and \(second)")
                let normalized = Mailbox.normalize(first)
                #expect((match != nil) == (normalized != nil && normalized == Mailbox.normalize(second)))
                if match != nil { answers += 1 }
            }
        }
        // Every kind of answer came up.
        #expect(Mailbox.match("John.Smith@gmail.com", "john.smith@GMAIL.com") == .sameAddress)
        #expect(Mailbox.match("ann@example.org", "ann@example.org..") == .unicodeForms)
        #expect(Mailbox.match("j.o.h.n.smith@gmail.com", "johnsmith@googlemail.com") == .gmailRules)
        #expect(Mailbox.match("ann+x@me.com", "ann@me.com") == .plusAddressing)
        #expect(answers > addresses.count)
    }

    @Test(arguments: [
        ("bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("example.org", "example.org"),
        // Not valid Punycode: kept as it is.
        ("xn--!!.example", "xn--!!.example"),
    ])
    func writesDomainsInTheirASCIIForm(_ domain: String, _ expected: String) {
        #expect(Mailbox.asciiDomain(domain) == expected)
    }

    /// An `xn--` label whose Punycode decodes to text that is not a valid IDNA label (capitals, full-width letters,
    /// a full stop) is not that text's label: UTS #46 §4 (step 4) refuses such an A-label, and DNS looks the ASCII
    /// label up as it is written, so `xn--gmail.com` (`ȪȲȮ`, capitals) and `xn--hmail.com` (`ȫȳȯ`) are two domains.
    /// Mapping the decoded text and encoding it again rewrites one ASCII domain into another.
    @Test(arguments: [
        ("ann@xn--gmail.com", "ann@xn--gmail.com"),
        // `bÜcher` (capital Ü), not `bücher` (`xn--bcher-kva`).
        ("anna@xn--bcher-2pa.example", "anna@xn--bcher-2pa.example"),
        // `ｂüｃｈｅｒ` (full-width letters).
        ("anna@xn--tda1031keaio5d.example", "anna@xn--tda1031keaio5d.example"),
        // `ü．com` (a full-width full stop inside one label): encoded again it gave a label holding a `.`.
        ("anna@x.xn--com-goa42363a", "anna@x.xn--com-goa42363a"),
    ])
    func keepsAnInvalidACELabelAsWritten(_ email: String, _ expected: String) {
        #expect(Mailbox.normalize(email) == expected)
    }

    @Test(arguments: [
        ("ann@xn--gmail.com", "ann@xn--hmail.com"),
        ("anna@xn--bcher-2pa.example", "anna@xn--bcher-kva.example"),
        ("anna@xn--bcher-2pa.example", "anna@bücher.example"),
        ("anna@xn--tda1031keaio5d.example", "anna@bücher.example"),
    ])
    func twoASCIIDomainsAreNotOneMailbox(_ first: String, _ second: String) {
        #expect(Mailbox.match(first, second) == nil)
        #expect(Mailbox.normalize(first) != Mailbox.normalize(second))
    }

    /// UTS #46 maps the soft hyphen (U+00AD), the combining grapheme joiner (U+034F) and variation selectors
    /// (U+FE00–FE0F) to nothing, so `bü­cher.example` is `xn--bcher-kva.example` wherever a mail client converts it;
    /// NFKC keeps them and the label was encoded with them (`xn--bcher-0ha66c`).
    @Test(arguments: ["anna@bü\u{AD}cher.example", "anna@bü\u{34F}cher.example", "anna@bücher\u{FE0F}.example"])
    func dropsWhatIDNAIgnoresInADomain(_ email: String) {
        #expect(Mailbox.normalize(email) == "anna@xn--bcher-kva.example")
        #expect(Mailbox.match(email, "anna@bücher.example") == .unicodeForms)
    }

    /// Fastmail's help article that `Mailbox.providers` cites, "Plus addressing and subdomain addressing", documents
    /// both forms: `whatever@username.fastmail.com` is delivered as `username+whatever@fastmail.com`.
    @Test(arguments: [
        ("hiking@ann.fastmail.com", "ann@fastmail.com"),
        ("hiking@ann.fastmail.fm", "ann@fastmail.fm"),
    ])
    func readsFastmailSubdomainAddressing(_ email: String, _ expected: String) {
        #expect(Mailbox.normalize(email) == expected)
        #expect(Mailbox.normalize(email) == Mailbox.normalize("ann+hiking@" + expected.split(separator: "@")[1]))
        #expect(Mailbox.match(email, expected) == .plusAddressing)
        #expect(Mailbox.match(email, email.uppercased() + " ") == .sameAddress)
    }
}

extension MailboxTests {
    /// A domain written in another script is shown with its IDNA ASCII form beside it, as browsers show it: in a
    /// notice that the account's address changed, `ann@аррӏе.com` (Cyrillic) would otherwise pass for `ann@apple.com`.
    @Test(arguments: [
        ("ann@apple.com", "ann@apple.com"),
        (
            "ann@\u{430}\u{440}\u{440}\u{4CF}\u{435}.com",
            "ann@\u{430}\u{440}\u{440}\u{4CF}\u{435}.com (ann@xn--80ak6aa92e.com)"
        ),
        ("zoë@bücher.example", "zoë@bücher.example (zoë@xn--bcher-kva.example)"),
        ("ann@xn--bcher-kva.example", "ann@xn--bcher-kva.example"),
        ("no address", "no address"),
    ])
    func aDomainInAnotherScriptIsShownWithItsASCIIForm(address: String, shown: String) {
        #expect(Mailbox.shownWithASCIIDomain(address) == shown)
    }
}
