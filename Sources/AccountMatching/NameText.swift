import Foundation

/// Folding of names and handles for comparison: case, accents, compatibility forms (full-width letters, ligatures),
/// and a few letters that Unicode does not decompose (`ß` → `ss`, `ø` → `o`, `ł` → `l`, `æ` → `ae`, …).
///
/// `Zoë Ångström`, `ZOE ANGSTROM` and `Ｚｏｅ Ａｎｇｓｔｒｏｍ` fold to the same tokens `zoe`, `angstrom`.
public enum NameText: Sendable {
    /// `text` folded: lowercase, compatibility-decomposed, combining marks removed, special letters spelled out, a
    /// symbol standing for several letters (`™`) read as a space.
    public static func fold(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
        return foldedByScalar(text) ?? foldedWithFoundation(text)
    }

    /// ``fold(_:)`` of the whole text at once: the standard library's lowercasing (each scalar's own lowercase
    /// mapping, with no rule of context or locale), then Foundation's compatibility decomposition, then lowercasing
    /// and decomposing again where that decomposition gave capitals: letters and symbols with no lowercase of their
    /// own decompose to them (the mathematical and black-letter alphabets of display names such as `𝓙𝓸𝓱𝓷` or
    /// `ℌans`, `🄰`). A symbol that stands for several letters is read as a space (``isSymbolForLetters(_:)``).
    package static func foldedWithFoundation(_ text: String) -> String {
        var text = text
        if text.unicodeScalars.contains(where: isSymbolForLetters) {
            var spaced = String.UnicodeScalarView()
            for scalar in text.unicodeScalars { spaced.append(isSymbolForLetters(scalar) ? " " : scalar) }
            text = String(spaced)
        }
        var decomposed = text.lowercased().decomposedStringWithCompatibilityMapping
        if decomposed.unicodeScalars.contains(where: \.properties.changesWhenLowercased) {
            decomposed = decomposed.lowercased().decomposedStringWithCompatibilityMapping
        }
        var output = String.UnicodeScalarView()
        for scalar in decomposed.unicodeScalars {
            if isMark(scalar) { continue }
            if let replacement = special[scalar] {
                output.append(contentsOf: replacement.unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// Whether `scalar` is a symbol whose compatibility form is two letters or more (`™` TM, `℠` SM, `№` No, `℡`
    /// TEL, `🅪` MC): an abbreviation, not a word of the name, which folding would otherwise join to the word before
    /// it (`Smith™` read as `smithtm`). A symbol for one letter (`ⓙ`, `🄰`) is that letter, as display-name fonts use
    /// it.
    static func isSymbolForLetters(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .otherSymbol, .mathSymbol, .currencySymbol, .modifierSymbol: break
        default: return false
        }
        if scalar.isASCII { return false }
        let letters = String(scalar).decomposedStringWithCompatibilityMapping.unicodeScalars.lazy.filter {
            $0.properties.isAlphabetic
        }
        return letters.count >= 2
    }

    /// ``fold(_:)`` of a text whose characters are all ASCII or in ``ScalarFolds/ranges`` (accented Latin letters,
    /// Vietnamese, combining marks, punctuation, symbols, emoji), each scalar folded on its own from a table;
    /// `nil` for any other text. In those ranges folding is done scalar by scalar: the standard library lowercases
    /// each scalar by its own mapping (no context or locale rules), compatibility decomposition maps each scalar
    /// alone, and the only scalars that decomposition reorders (those of a nonzero combining class) are combining
    /// marks, which folding drops. Foundation's decomposition took a third of the time spent parsing the third
    /// labelled set's display names.
    static func foldedByScalar(_ text: String) -> String? {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let value = scalar.value
                output.unicodeScalars.append(
                    value >= 0x41 && value <= 0x5A ? Unicode.Scalar(UInt8(value + 32)) : scalar)
            } else if let folded = ScalarFolds.table.folded(scalar) {
                output += folded
            } else {
                return nil
            }
        }
        return output
    }

    /// Each scalar of ``ranges`` folded alone (with ``foldedWithFoundation(_:)``), worked out the first time a
    /// text beyond ASCII is folded (about 7,000 scalars).
    struct ScalarFolds: Sendable {
        /// Latin-1 Supplement, Latin Extended-A and -B, IPA, modifier letters and combining marks; Latin Extended
        /// Additional (Vietnamese); punctuation, letterlike forms, arrows, symbols and dingbats; variation
        /// selectors; emoji and pictographs.
        static let ranges: [Range<UInt32>] = [
            0x80..<0x370, 0x1E00..<0x1F00, 0x2000..<0x2C00, 0xFE00..<0xFE10, 0x1F000..<0x1FB00,
        ]

        static let table = ScalarFolds()

        /// The folds of every range, one after another.
        private let folds: [String]

        private init() {
            folds = ScalarFolds.ranges.flatMap { range in
                range.map { value in Unicode.Scalar(value).map { foldedWithFoundation(String($0)) } ?? "" }
            }
        }

        func folded(_ scalar: Unicode.Scalar) -> String? {
            let value = Int(scalar.value)
            // Offsets of the ranges in `folds`: 0, 0x2F0, 0x3F0, 0xFF0, 0x1000.
            switch value {
            case 0x80..<0x370: return folds[value - 0x80]
            case 0x1E00..<0x1F00: return folds[value - 0x1E00 + 0x2F0]
            case 0x2000..<0x2C00: return folds[value - 0x2000 + 0x3F0]
            case 0xFE00..<0xFE10: return folds[value - 0xFE00 + 0xFF0]
            case 0x1F000..<0x1FB00: return folds[value - 0x1F000 + 0x1000]
            default: return nil
            }
        }
    }

    /// `text` with German umlauts spelled out as they are in addresses and handles (`Müller` → `Mueller`, `Schröder`
    /// → `Schroeder`, `Jäger` → `Jaeger`), or `nil` when it has none. Folding drops the dots (`muller`), so this is
    /// the other spelling a handle may use.
    public static func spellingOutUmlauts(_ text: String) -> String? {
        // Cheap test first (most names are ASCII): ä ö ü Ä Ö Ü are C3 A4/B6/BC/84/96/9C in UTF-8, a combining
        // diaeresis CC 88.
        var previous: UInt8 = 0
        let hasUmlaut = text.utf8.contains { byte in
            defer { previous = byte }
            switch (previous, byte) {
            case (0xC3, 0xA4), (0xC3, 0xB6), (0xC3, 0xBC), (0xC3, 0x84), (0xC3, 0x96), (0xC3, 0x9C), (0xCC, 0x88):
                return true
            default:
                return false
            }
        }
        guard hasUmlaut else { return nil }
        let composed = text.precomposedStringWithCanonicalMapping
        guard composed.unicodeScalars.contains(where: { umlauts[$0] != nil }) else { return nil }
        var output = String.UnicodeScalarView()
        let scalars = Array(composed.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            guard let spelled = umlauts[scalar] else {
                output.append(scalar)
                continue
            }
            // A capital before a capital is spelled in capitals (`JÖRG` → `JOERG`), so that the word stays one word.
            let nextIsCapital = index + 1 < scalars.count && scalars[index + 1].properties.isUppercase
            output.append(contentsOf: (nextIsCapital ? spelled.uppercased() : spelled).unicodeScalars)
        }
        return String(output)
    }

    private static let umlauts: [Unicode.Scalar: String] = [
        "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
    ]

    /// The folded words of `text`: runs of letters and digits. Apostrophes join (`O'Brien` → `obrien`); anything
    /// else (space, hyphen, dot, emoji, punctuation) separates.
    public static func tokens(_ text: String) -> [String] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiTokens(text) }
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in fold(text).unicodeScalars {
            if isWordScalar(scalar) {
                current.append(scalar)
            } else if apostrophes.contains(scalar) {
                continue
            } else if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    /// ``tokens(_:)`` of ASCII text, byte by byte (the same words: folding ASCII only lowercases it).
    private static func asciiTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current: [UInt8] = []
        current.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if let folded = foldedLetterOrDigit(byte) {
                current.append(folded)
            } else if byte != UInt8(ascii: "'") && byte != UInt8(ascii: "`") && !current.isEmpty {
                tokens.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
        return tokens
    }

    /// An ASCII letter (lowercased) or digit, or `nil` for any other byte.
    @inline(__always)
    private static func foldedLetterOrDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return byte
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte + 32
        default: return nil
        }
    }

    /// `text` folded with everything but letters and digits removed (`John.Smith_84` → `johnsmith84`).
    public static func alphanumerics(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            var text = text
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            text.withUTF8 { appendAlphanumerics($0, to: &bytes) }
            return String(decoding: bytes, as: UTF8.self)
        }
        var output = String.UnicodeScalarView()
        for scalar in fold(text).unicodeScalars where isWordScalar(scalar) { output.append(scalar) }
        return String(output)
    }

    /// Appends `text` (UTF-8) folded as ``alphanumerics(_:)`` folds it to `output`, without making a string when
    /// it is ASCII.
    package static func appendAlphanumerics(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        if text.allSatisfy({ $0 < 0x80 }) {
            for byte in text {
                if let folded = foldedLetterOrDigit(byte) { output.append(folded) }
            }
        } else {
            output.append(contentsOf: alphanumerics(String(decoding: text, as: UTF8.self)).utf8)
        }
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || ("A"..."Z").contains(scalar)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal
    }

    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// Marks inside a word that are not part of its spelling: apostrophes (`O'Brien`) and the Catalan middle dot
    /// (`Marcel·lí`).
    static let apostrophes: Set<Unicode.Scalar> = ["'", "\u{2019}", "\u{02BC}", "`", "\u{00B7}"]

    /// Letters without a Unicode decomposition, spelled the way they are usually written in ASCII.
    static let special: [Unicode.Scalar: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h",
        "ŋ": "n", "ſ": "s", "ς": "σ", "ĸ": "k",
    ]
}
