/// A syntactically valid email address, surrounding whitespace trimmed, case kept as given.
///
/// Uniqueness is case-insensitive; the provider-aware normalised mailbox comes from `AccountMatching`.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    /// The most bytes an address may have (RFC 5321: 254 in a path).
    public static let maximumLength = 254

    /// The trimmed address.
    public let rawValue: String

    /// Trims surrounding whitespace from `text` and validates it; the error names the email field.
    public init(validating text: String) throws(FieldError) {
        let trimmed = EmailAddress.trim(text)
        if let problem = EmailAddress.problem(withTrimmed: trimmed) {
            throw FieldError(.email, problem)
        }
        rawValue = trimmed
    }

    /// Wraps an address read back from the store.
    package init(uncheckedRawValue: String) {
        rawValue = uncheckedRawValue
    }

    /// `text` without leading or trailing whitespace (Unicode white space and newlines).
    public static func trim(_ text: String) -> String {
        // Fast path: nothing to trim when both ends are ASCII and not white space.
        if let first = text.utf8.first, let last = text.utf8.last, (0x21..<0x7F).contains(first),
            (0x21..<0x7F).contains(last)
        {
            return text
        }
        var scalars = Substring(text).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// What is wrong with an already trimmed address, or `nil` when it is valid.
    public static func problem(withTrimmed text: String) -> String? {
        if text.isEmpty { return "is required" }
        if text.utf8.count > maximumLength { return "must be at most \(maximumLength) bytes" }
        let ascii = text.utf8.allSatisfy { $0 < 0x80 }
        let hasSpaceOrControl =
            ascii
            ? text.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
            // C0 and C1 controls alike (U+0080–U+009F: U+009B is CSI, which terminals obey as ESC [).
            : text.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
        if hasSpaceOrControl { return "must not contain spaces or control characters" }
        // Bidirectional controls (U+202E and the like) reorder the text around the address wherever it is shown (a
        // terminal, the duplicate report); invisible ones (Unicode's default-ignorable code points: zero-width
        // spaces, the soft hyphen, variation selectors, tag characters, Hangul fillers; and the blank braille
        // pattern, drawn as a space) make two addresses that look alike. The zero-width joiner and non-joiner stay
        // where scripts need them, as IDNA2008's CONTEXTJ rules allow them (RFC 5892, appendix A.1 and A.2): after a
        // virama (Devanagari and its kin), and the non-joiner between letters of a joining script (Persian). Anywhere
        // else they are invisible: until session 63 `ann\u{200D}@example.org` was an account beside `ann@example.org`.
        if !ascii, Self.hasInvisibleCharacter(Array(text.unicodeScalars)) {
            return "must not contain invisible or bidirectional control characters"
        }
        // A full-width or small commercial at is an `@` once NFKC is applied, as the mailbox rules do: beside an ASCII
        // `@` it would move where the mailbox is cut (`ann+@evil.org＠gmail.com` would be the mailbox `ann@gmail.com`).
        if !ascii, text.unicodeScalars.contains(where: { $0 == "\u{FF20}" || $0 == "\u{FE6B}" }) {
            return "must write its '@' as the plain '@', once (not '\u{FF20}' or '\u{FE6B}', which read as '@' too)"
        }
        // The rest on the bytes, for every address: '@', '"', '.' and '-' are ASCII, and a check by `Character` would
        // miss one joined to its neighbour (`ann\u{600}@x@example.org`, after a prepended sign, has two).
        var bytes = text
        if let problem = bytes.withUTF8(structureProblem) { return problem }
        // A domain label may not begin with a combining mark (IDNA2008, RFC 5891 4.2.3.2): joined to the `@` or `.`
        // before it, it would hide that character where the address is shown.
        if !ascii, let at = text.unicodeScalars.lastIndex(of: "@") {
            let labels = text.unicodeScalars[text.unicodeScalars.index(after: at)...].split(separator: ".")
            let marks: Set<Unicode.GeneralCategory> = [.nonspacingMark, .spacingMark, .enclosingMark]
            if labels.contains(where: { $0.first.map { marks.contains($0.properties.generalCategory) } ?? false }) {
                return "has an invalid domain"
            }
        }
        return nil
    }

    /// The address as stored (`rawValue`).
    public var description: String { rawValue }

    /// Whether `scalars` hold a bidirectional control or an invisible character (``problem(withTrimmed:)``): a
    /// default-ignorable code point or U+2800, save a zero-width joiner or non-joiner where IDNA2008's CONTEXTJ rules
    /// allow it.
    static func hasInvisibleCharacter(_ scalars: [Unicode.Scalar]) -> Bool {
        for (index, scalar) in scalars.enumerated() {
            if scalar.properties.isBidiControl || scalar.value == 0x2800 { return true }
            guard scalar.properties.isDefaultIgnorableCodePoint else { continue }
            guard scalar.value == 0x200C || scalar.value == 0x200D else { return true }
            // Both: after a virama (RFC 5892 A.1, A.2, first rule).
            if index > 0, scalars[index - 1].properties.canonicalCombiningClass == .virama { continue }
            // The non-joiner: between letters of a joining script, marks aside (A.1, second rule, with the scripts
            // whose letters join standing for the joining types Unicode gives them).
            if scalar.value == 0x200C, let before = joiningNeighbour(scalars, from: index, step: -1),
                let after = joiningNeighbour(scalars, from: index, step: 1),
                isJoiningLetter(before), !joinsOnlyToTheRight(before), isJoiningLetter(after)
            {
                continue
            }
            return true
        }
        return false
    }

    /// The nearest scalar to `index` in the direction of `step` that is not a mark (marks are transparent to
    /// joining), or `nil`.
    private static func joiningNeighbour(_ scalars: [Unicode.Scalar], from index: Int, step: Int) -> Unicode.Scalar? {
        var position = index + step
        while scalars.indices.contains(position) {
            let category = scalars[position].properties.generalCategory
            if category != .nonspacingMark && category != .enclosingMark && category != .format {
                return scalars[position]
            }
            position += step
        }
        return nil
    }

    /// Whether `scalar` is a letter of a script whose letters join (Arabic, Syriac, N'Ko, Mandaic, Mongolian,
    /// Phags-pa, Manichaean, Psalter Pahlavi, Hanifi Rohingya, Sogdian, Adlam), the hamza aside, which joins to
    /// nothing. (Arabic's presentation forms are shaped already: they join to nothing either.)
    private static func isJoiningLetter(_ scalar: Unicode.Scalar) -> Bool {
        let category = scalar.properties.generalCategory
        guard category == .otherLetter || category == .modifierLetter else { return false }
        guard scalar.value != 0x0621, scalar.value != 0x0674 else { return false }
        let joiningBlocks: [ClosedRange<UInt32>] = [
            0x0620...0x08FF, 0x1800...0x18AF, 0xA840...0xA87F, 0x10AC0...0x10AFF, 0x10B80...0x10BAF,
            0x10D00...0x10D3F, 0x10F30...0x10F6F, 0x1E900...0x1E95F,
        ]
        return joiningBlocks.contains { $0.contains(scalar.value) }
    }

    /// Whether `scalar` is an Arabic or Syriac letter that joins only to the letter before it (Unicode's joining
    /// type R: alef, dal, reh, waw and their kin): a non-joiner after one separates nothing, and is invisible.
    private static func joinsOnlyToTheRight(_ scalar: Unicode.Scalar) -> Bool {
        let rightJoining: [ClosedRange<UInt32>] = [
            0x0622...0x0625, 0x0627...0x0627, 0x0629...0x0629, 0x062F...0x0632, 0x0648...0x0648, 0x0671...0x0673,
            0x0675...0x0677, 0x0688...0x0699, 0x06C0...0x06C0, 0x06C3...0x06CB, 0x06CD...0x06CD, 0x06CF...0x06CF,
            0x06D2...0x06D3, 0x06D5...0x06D5, 0x06EE...0x06EF, 0x0710...0x0710, 0x0715...0x0719, 0x071E...0x071E,
            0x0728...0x0728, 0x072A...0x072A, 0x072C...0x072C, 0x072F...0x072F, 0x074D...0x074D, 0x0759...0x075B,
            0x076B...0x076C, 0x0771...0x0771, 0x0773...0x0774, 0x0778...0x0779,
        ]
        return rightJoining.contains { $0.contains(scalar.value) }
    }

    /// ``problem(withTrimmed:)``'s checks from the `@` on, over the UTF-8 bytes of an address without spaces or
    /// control characters (several times faster than walking `Character`s, and blind to how they group). A domain
    /// label may hold any non-ASCII character (an internationalised domain); of ASCII, letters, digits and `-`.
    private static func structureProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let atSign = UInt8(ascii: "@"), dot = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
        guard let at = bytes.lastIndex(of: atSign) else { return "must contain '@'" }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        if local.isEmpty { return "needs a mailbox name before '@'" }
        if local.count > 64 { return "has a mailbox name longer than 64 bytes" }
        if local.contains(atSign) || local.contains(UInt8(ascii: "\"")) {
            return "must contain exactly one '@' and no quotes"
        }
        let doubledDot = zip(local, local.dropFirst()).contains { $0 == dot && $1 == dot }
        if local.first == dot || local.last == dot || doubledDot {
            return "has a mailbox name with a misplaced '.'"
        }
        let labels = domain.split(separator: dot, omittingEmptySubsequences: false)
        if labels.count < 2 { return "needs a domain with a dot after '@', such as example.org" }
        for label in labels {
            if label.isEmpty || label.count > 63 { return "has an invalid domain" }
            if label.first == hyphen || label.last == hyphen { return "has an invalid domain" }
            if label.contains(where: {
                $0 < 0x80 && !(isASCIILetter($0) || (0x30...0x39).contains($0) || $0 == hyphen)
            }) {
                return "has an invalid domain"
            }
        }
        return nil
    }

    /// Whether `byte` is an ASCII letter (what `isAlphabetic` says of the ASCII scalars).
    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
