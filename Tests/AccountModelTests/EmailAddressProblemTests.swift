import AccountModel
import Testing

/// Each of `EmailAddress.problem(withTrimmed:)`'s answers, for ASCII and non-ASCII addresses alike (spaces,
/// controls and invisible characters checked on the scalars of a non-ASCII one; the rest on the bytes of both).
struct EmailAddressProblemTests {
    static let invisible = "must not contain invisible or bidirectional control characters"

    static let twoAtSigns = "must write its '@' as the plain '@', once (not '＠' or '﹫', which read as '@' too)"

    @Test(
        arguments: [
            ("ann@example.org", nil),
            ("a.b-c+d@sub.example.co", nil),
            ("zoë@exämple.org", nil),
            ("ann", "must contain '@'"),
            ("zoë", "must contain '@'"),
            ("@example.org", "needs a mailbox name before '@'"),
            (String(repeating: "a", count: 65) + "@example.org", "has a mailbox name longer than 64 bytes"),
            ("a@b@example.org", "must contain exactly one '@' and no quotes"),
            ("\"a\"@example.org", "must contain exactly one '@' and no quotes"),
            ("ä\"@example.org", "must contain exactly one '@' and no quotes"),
            (".ann@example.org", "has a mailbox name with a misplaced '.'"),
            ("ann.@example.org", "has a mailbox name with a misplaced '.'"),
            ("a..nn@example.org", "has a mailbox name with a misplaced '.'"),
            ("ä..nn@example.org", "has a mailbox name with a misplaced '.'"),
            // An '@', quote or dot joined to the character before it (U+0600, a prepended sign) or after it (a
            // combining accent) is still one: checked by character, two '@' passed
            ("ann\u{600}@x@example.org", "must contain exactly one '@' and no quotes"),
            ("ann\u{600}\"@example.org", "must contain exactly one '@' and no quotes"),
            (".\u{301}ann@example.org", "has a mailbox name with a misplaced '.'"),
            ("ä\u{600}..nn@example.org", "has a mailbox name with a misplaced '.'"),
            // A domain label may not begin with a combining mark (IDNA2008, RFC 5891 4.2.3.2)
            ("ann@\u{301}example.org", "has an invalid domain"),
            ("ann@example.\u{20DD}org", "has an invalid domain"),
            // A full-width or small commercial at reads as '@' under NFKC, as the mailbox rules read addresses: beside
            // an ASCII '@' it moved where the mailbox was cut (`ann@gmail.com` for the first; session 59)
            ("ann+@evil.org\u{FF20}gmail.com", Self.twoAtSigns),
            ("ann@evil.org\u{FE6B}", Self.twoAtSigns),
            ("ann\u{FF20}example.org", Self.twoAtSigns),
            ("ann@localhost", "needs a domain with a dot after '@', such as example.org"),
            ("ann@", "needs a domain with a dot after '@', such as example.org"),
            ("ann@x..org", "has an invalid domain"),
            ("ann@-x.org", "has an invalid domain"),
            ("ann@x_y.org", "has an invalid domain"),
            ("ann@ä_y.org", "has an invalid domain"),
            ("ann@" + String(repeating: "x", count: 64) + ".org", "has an invalid domain"),
            ("a b@example.org", "must not contain spaces or control characters"),
            ("a\u{7F}b@example.org", "must not contain spaces or control characters"),
            ("ä\u{2003}b@example.org", "must not contain spaces or control characters"),
            // C1 controls (U+0080–U+009F): U+009B is CSI, which some terminals obey as ESC [.
            ("a\u{9B}31m@example.org", "must not contain spaces or control characters"),
            ("zoë\u{80}@example.org", "must not contain spaces or control characters"),
            // Bidirectional and zero-width controls reorder or hide text wherever the address is shown.
            ("ann\u{202E}gro.elpmaxe@example.org", "must not contain invisible or bidirectional control characters"),
            ("a\u{2066}nn@example.org", "must not contain invisible or bidirectional control characters"),
            ("a\u{200F}nn@example.org", "must not contain invisible or bidirectional control characters"),
            ("an\u{200B}n@example.org", "must not contain invisible or bidirectional control characters"),
            ("\u{FEFF}ann@example.org", "must not contain invisible or bidirectional control characters"),
            // The joiners stay where IDNA2008's CONTEXTJ rules allow them (RFC 5892 A.1, A.2): either after a virama
            // (Devanagari क्‍ष), the non-joiner between letters of a joining script (Persian می‌خواهم), marks aside
            ("\u{915}\u{94D}\u{200D}\u{937}@example.org", nil),
            ("\u{915}\u{94D}\u{200C}\u{937}@example.org", nil),
            ("ann@\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}.example", nil),
            ("ann@\u{645}\u{6CC}\u{64E}\u{200C}\u{62E}\u{648}.example", nil),
            // and nowhere else: there they are invisible, and made a second account that looked like the first
            // (until session 63: `ann\u{200D}@example.org` beside `ann@example.org`)
            ("ann\u{200D}@example.org", Self.invisible),
            ("ann@example.org\u{200C}", Self.invisible),
            ("an\u{200C}n@example.org", Self.invisible),
            ("ann@\u{0646}\u{200D}\u{0627}.example", Self.invisible),
            ("ann@\u{6F22}\u{200C}\u{5B57}.example", Self.invisible),
            ("\u{200C}\u{645}\u{6CC}@example.org", Self.invisible),
            // (after an alef, which joins to nothing after it, a non-joiner separates nothing)
            ("ann@\u{627}\u{200C}\u{628}.example", Self.invisible),
            // (nor does a second or third non-joiner after the first; a non-joiner between Thaana letters, which join
            // to nothing; one after U+08AC, which joins only to what precedes it)
            ("\u{645}\u{6CC}\u{200C}\u{200C}\u{62E}@example.org", Self.invisible),
            ("\u{645}\u{6CC}\u{200C}\u{200C}\u{200C}\u{62E}@example.org", Self.invisible),
            ("\u{784}\u{200C}\u{787}\u{200C}\u{789}@example.org", Self.invisible),
            ("\u{8AC}\u{200C}\u{628}@example.org", Self.invisible),
            // Bengali's ra with ya-phala (র‍্যাব: a joiner before the virama) in the mailbox name, not in a domain
            // label, where IDNA2008 refuses it
            ("\u{9B0}\u{200D}\u{9CD}\u{9AF}\u{9BE}\u{9AC}@example.org", nil),
            ("ann@\u{9B0}\u{200D}\u{9CD}\u{9AF}.example", Self.invisible),
            // Sinhala's rakaransaya (ශ්‍රී: the joiner after the virama)
            ("\u{DC1}\u{DCA}\u{200D}\u{DBB}\u{DD3}@example.org", nil),
            // The blank braille pattern is drawn as a space, and is neither white space nor ignorable to Unicode.
            ("ann@example.org\u{2800}", Self.invisible),
            ("an\u{2800}n@example.org", Self.invisible),
        ] as [(String, String?)])
    func namesWhatIsWrong(text: String, problem: String?) {
        #expect(EmailAddress.problem(withTrimmed: text) == problem)
    }

    @Test func trimsUnicodeAndASCIIWhiteSpaceAlike() {
        #expect(EmailAddress.trim("\u{A0}\tann@example.org\u{2003}\r\n") == "ann@example.org")
        #expect(EmailAddress.trim("ann@example.org") == "ann@example.org")
        #expect(EmailAddress.trim("  ") == "")
    }
}

extension EmailAddressProblemTests {
    /// The format characters that are as invisible as the zero-width space and the byte-order mark refused above (the
    /// joiners aside, which some scripts need): a soft hyphen in the mailbox name or the domain (IDNA drops it, so
    /// `exa\u{AD}mple.org` is mailed as `example.org`), an invisible operator, the Mongolian vowel separator and a tag
    /// character. Each prints as `ann@example.org` and was accepted as another address.
    @Test(arguments: [
        "an\u{AD}n@example.org", "ann@exa\u{AD}mple.org", "an\u{2061}n@example.org", "an\u{180E}n@example.org",
        "ann\u{E0061}@example.org",
    ])
    func refusesOtherInvisibleFormatCharacters(_ text: String) {
        #expect(
            EmailAddress.problem(withTrimmed: text) == "must not contain invisible or bidirectional control characters")
    }
}
