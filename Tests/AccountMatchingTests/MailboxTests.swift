import AccountMatching
import Testing

struct MailboxTests {
    @Test(arguments: [
        ("  John.Smith@Example.org ", "john.smith@example.org"),
        ("j.o.h.n+x@gmail.com", "john@gmail.com"),
        ("John@GoogleMail.com", "john@gmail.com"),
        ("ann+news@outlook.com", "ann@outlook.com"),
        ("ann+news@me.com", "ann@icloud.com"),
        ("ann+news@pm.me", "ann@proton.me"),
        ("ann+news@fastmail.com", "ann@fastmail.com"),
        // Unknown providers keep their dots and tags: not every server treats '+' as a tag.
        ("ann.b+news@example.org", "ann.b+news@example.org"),
        // ASCII white space of every kind is trimmed, as Foundation's white space and newlines are.
        ("\t\u{0B}\u{0C}J.O.H.N@GMAIL.com\r\n", "john@gmail.com"),
        ("\u{A0}Ann@Example.org\u{2003}", "ann@example.org"),
        // NFKC folds full-width forms.
        ("ＡＮＮ@example.org", "ann@example.org"),
    ])
    func normalisesByProviderRules(_ email: String, _ expected: String) {
        #expect(Mailbox.normalize(email) == expected)
    }

    @Test(arguments: ["no-at-sign", "@example.org", "ann@", "+tag@gmail.com"])
    func refusesWhatHasNoMailbox(_ email: String) {
        #expect(Mailbox.normalize(email) == nil)
    }
}
