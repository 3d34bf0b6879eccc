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
    /// default-ignorable code point or U+2800, save a zero-width joiner or non-joiner where it changes how the text
    /// is drawn. In the domain, where IDNA2008's CONTEXTJ rules allow them (RFC 5892, appendix A.1 and A.2): either
    /// after a virama; the non-joiner between a letter that joins to what follows it and one that joins to what
    /// precedes it (Unicode's joining types L or D, then R or D, marks between them aside: Persian `می‌خواهم`). In the
    /// mailbox name the same, and the joiner before a virama too (Bengali's ra with ya-phala, `র‍্য`, which no mail
    /// standard forbids). A run of joiners, one at either end, or one beside any other character is invisible.
    static func hasInvisibleCharacter(_ scalars: [Unicode.Scalar]) -> Bool {
        let at = scalars.lastIndex(of: "@") ?? scalars.endIndex
        for (index, scalar) in scalars.enumerated() {
            if scalar.properties.isBidiControl || scalar.value == 0x2800 { return true }
            guard scalar.properties.isDefaultIgnorableCodePoint else { continue }
            guard scalar.value == 0x200C || scalar.value == 0x200D else { return true }
            let before = index > 0 ? scalars[index - 1] : nil
            let after = index + 1 < scalars.count ? scalars[index + 1] : nil
            // Both: after a virama (A.1, A.2, first rule); the joiner in the mailbox name also before one.
            if before?.properties.canonicalCombiningClass == .virama { continue }
            if scalar.value == 0x200D, index < at, after?.properties.canonicalCombiningClass == .virama,
                before.map(isLetter) == true
            {
                continue
            }
            // The non-joiner: (L|D) T* ZWNJ T* (R|D) (A.1, second rule).
            if scalar.value == 0x200C,
                let left = neighbour(scalars, from: index, step: -1),
                let right = neighbour(scalars, from: index, step: 1),
                [.dual, .left].contains(joiningType(left)), [.dual, .right].contains(joiningType(right))
            {
                continue
            }
            return true
        }
        return false
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .otherLetter, .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter: true
        default: false
        }
    }

    /// The nearest scalar to `index` in the direction of `step` that is not transparent to joining (joining type T:
    /// the nonspacing and enclosing marks), or `nil`. A joiner, a non-joiner or any format character is not
    /// transparent: a run of non-joiners does not reach past itself.
    private static func neighbour(_ scalars: [Unicode.Scalar], from index: Int, step: Int) -> Unicode.Scalar? {
        var position = index + step
        while scalars.indices.contains(position) {
            let category = scalars[position].properties.generalCategory
            if category != .nonspacingMark && category != .enclosingMark { return scalars[position] }
            position += step
        }
        return nil
    }

    /// Unicode's joining types that matter to the non-joiner (ArabicShaping.txt, Unicode 14).
    enum JoiningType { case dual, left, right, other }

    /// `scalar`'s joining type: dual, left or right joining (a letter of Arabic, Syriac, N'Ko, Mandaic, Mongolian,
    /// Phags-pa, Manichaean, Psalter Pahlavi, Hanifi Rohingya, Sogdian, Old Uyghur, Chorasmian or Adlam), else other
    /// (non-joining, join-causing or transparent).
    static func joiningType(_ scalar: Unicode.Scalar) -> JoiningType {
        if contains(dualJoining, scalar.value) { return .dual }
        if contains(rightJoining, scalar.value) { return .right }
        if contains(leftJoining, scalar.value) { return .left }
        return .other
    }

    private static func contains(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < ranges.count && ranges[low].contains(value)
    }

    // Generated from Unicode 14's Joining_Type (Perl's Unicode::UCD `charprop`), in order.
    private static let dualJoining: [ClosedRange<UInt32>] = [
        0x620...0x620, 0x626...0x626, 0x628...0x628, 0x62A...0x62E, 0x633...0x63F, 0x641...0x647, 0x649...0x64A,
        0x66E...0x66F, 0x678...0x687, 0x69A...0x6BF, 0x6C1...0x6C2, 0x6CC...0x6CC, 0x6CE...0x6CE, 0x6D0...0x6D1,
        0x6FA...0x6FC, 0x6FF...0x6FF, 0x712...0x714, 0x71A...0x71D, 0x71F...0x727, 0x729...0x729, 0x72B...0x72B,
        0x72D...0x72E, 0x74E...0x758, 0x75C...0x76A, 0x76D...0x770, 0x772...0x772, 0x775...0x777, 0x77A...0x77F,
        0x7CA...0x7EA, 0x841...0x845, 0x848...0x848, 0x84A...0x853, 0x855...0x855, 0x860...0x860, 0x862...0x865,
        0x868...0x868, 0x886...0x886, 0x889...0x88D, 0x8A0...0x8A9, 0x8AF...0x8B0, 0x8B3...0x8B8, 0x8BA...0x8C8,
        0x1807...0x1807, 0x1820...0x1878, 0x1887...0x18A8, 0x18AA...0x18AA, 0xA840...0xA871, 0x10AC0...0x10AC4,
        0x10AD3...0x10AD6, 0x10AD8...0x10ADC, 0x10ADE...0x10AE0, 0x10AEB...0x10AEE, 0x10B80...0x10B80,
        0x10B82...0x10B82, 0x10B86...0x10B88, 0x10B8A...0x10B8B, 0x10B8D...0x10B8D, 0x10B90...0x10B90,
        0x10BAD...0x10BAE, 0x10D01...0x10D21, 0x10D23...0x10D23, 0x10F30...0x10F32, 0x10F34...0x10F44,
        0x10F51...0x10F53, 0x10F70...0x10F73, 0x10F76...0x10F81, 0x10FB0...0x10FB0, 0x10FB2...0x10FB3,
        0x10FB8...0x10FB8, 0x10FBB...0x10FBC, 0x10FBE...0x10FBF, 0x10FC1...0x10FC1, 0x10FC4...0x10FC4,
        0x10FCA...0x10FCA, 0x1E900...0x1E943,
    ]
    private static let rightJoining: [ClosedRange<UInt32>] = [
        0x622...0x625, 0x627...0x627, 0x629...0x629, 0x62F...0x632, 0x648...0x648, 0x671...0x673, 0x675...0x677,
        0x688...0x699, 0x6C0...0x6C0, 0x6C3...0x6CB, 0x6CD...0x6CD, 0x6CF...0x6CF, 0x6D2...0x6D3, 0x6D5...0x6D5,
        0x6EE...0x6EF, 0x710...0x710, 0x715...0x719, 0x71E...0x71E, 0x728...0x728, 0x72A...0x72A, 0x72C...0x72C,
        0x72F...0x72F, 0x74D...0x74D, 0x759...0x75B, 0x76B...0x76C, 0x771...0x771, 0x773...0x774, 0x778...0x779,
        0x840...0x840, 0x846...0x847, 0x849...0x849, 0x854...0x854, 0x856...0x858, 0x867...0x867, 0x869...0x86A,
        0x870...0x882, 0x88E...0x88E, 0x8AA...0x8AC, 0x8AE...0x8AE, 0x8B1...0x8B2, 0x8B9...0x8B9, 0x10AC5...0x10AC5,
        0x10AC7...0x10AC7, 0x10AC9...0x10ACA, 0x10ACE...0x10AD2, 0x10ADD...0x10ADD, 0x10AE1...0x10AE1,
        0x10AE4...0x10AE4, 0x10AEF...0x10AEF, 0x10B81...0x10B81, 0x10B83...0x10B85, 0x10B89...0x10B89,
        0x10B8C...0x10B8C, 0x10B8E...0x10B8F, 0x10B91...0x10B91, 0x10BA9...0x10BAC, 0x10D22...0x10D22,
        0x10F33...0x10F33, 0x10F54...0x10F54, 0x10F74...0x10F75, 0x10FB4...0x10FB6, 0x10FB9...0x10FBA,
        0x10FBD...0x10FBD, 0x10FC2...0x10FC3, 0x10FC9...0x10FC9,
    ]
    private static let leftJoining: [ClosedRange<UInt32>] = [
        0xA872...0xA872, 0x10ACD...0x10ACD, 0x10AD7...0x10AD7, 0x10D00...0x10D00, 0x10FCB...0x10FCB,
    ]

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
