/// Names written in Cyrillic, Greek or Hangul, spelled in Latin letters the way their bearers most often spell them
/// in handles and Latin-script forms, so that `Роман Яковлев` is `roman yakovlev`, `Γιώργος` is `giorgos` and `김민지`
/// is `kim minji` (``NameText/fold(_:)`` applies it).
///
/// One spelling is chosen for each letter; other spellings of the same name (`Iuliia` for `Юлия`, `Jihoon` for
/// `지훈`) are left to the typo tolerance of the comparisons, or do not match.
///
/// - **Cyrillic** (Russian, Ukrainian, Belarusian, Serbian and Macedonian letters): the BGN/PCGN letters (`ж` zh, `х`
///   kh, `ц` ts, `ч` ch, `ш` sh, `щ` shch, `ю` yu, `я` ya, `й` y; `ъ` and `ь` dropped), with the spellings people
///   use in passports and handles where those differ: `е` and `ё` are `e` (Elena, Fedorov), `ия` is `ia` (Maria,
///   Anastasia), `ий`/`ый` at the end of a word are `y` (Dmitry, Evgeny), and `ь` before `е` or `и` is `y`
///   (Grigoryev, Ilyin).
/// - **Greek**: ELOT 743 letters (`η` i, `θ` th, `χ` ch, `ψ` ps, `ω` o, `β` v), `ου` ou, `αυ` av, `ευ` ev.
/// - **Hangul**: a word of one syllable is a family name and gets its customary spelling (`이` lee, `박` park, `최`
///   choi, `정` jung); longer words are spelled syllable by syllable in the Revised Romanization (`민지` minji,
///   `서연` seoyeon), without the sound changes between syllables, as Korean given names are romanised.
enum Romanization {
    /// Whether `scalar` (lowercased) is a letter this type spells in Latin letters.
    static func isRomanized(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0370...0x03FF, 0x0400...0x045F, 0x0490...0x0491, 0xAC00...0xD7A3: return true
        default: return false
        }
    }

    /// `scalars` (lowercased, composed) with Hangul and Cyrillic `й`, `ё`, `ї`, `ў` spelled out: what compatibility
    /// decomposition would take apart (a Hangul syllable into its letters, `й` into `и` and a breve). The other
    /// Cyrillic and Greek letters are spelled by ``spellingDecomposed(_:)`` after decomposition, accents removed.
    static func spellingComposed(_ scalars: [Unicode.Scalar]) -> String.UnicodeScalarView {
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if isHangulSyllable(scalar) {
                var end = index
                while end < scalars.count, isHangulSyllable(scalars[end]) { end += 1 }
                if end - index == 1, let surname = koreanSurnames[scalar] {
                    output.append(contentsOf: surname.unicodeScalars)
                } else {
                    for syllable in scalars[index..<end] { output.append(contentsOf: revised(syllable).unicodeScalars) }
                }
                index = end
                continue
            }
            switch scalar {
            case "й":
                // `ий`, `ый` ending a word are `y`: Dmitry, Evgeny, Bely.
                let endsWord = index + 1 == scalars.count || !NameText.isWordScalar(scalars[index + 1])
                if endsWord, output.last == "и" || output.last == "ы" { output.removeLast() }
                output.append("y")
            case "ё": output.append("е")  // Cyrillic, for the soft sign before it: Solovyev.
            case "ї": output.append(contentsOf: "yi".unicodeScalars)
            case "ў": output.append("u")
            default: output.append(scalar)
            }
            index += 1
        }
        return output
    }

    /// `scalars` (compatibility-decomposed, marks removed) with Cyrillic and Greek letters spelled out.
    static func spellingDecomposed(_ scalars: [Unicode.Scalar]) -> String.UnicodeScalarView {
        var output = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            let previous: Unicode.Scalar? = index > 0 ? scalars[index - 1] : nil
            switch scalar {
            case "я" where previous == "и": output.append("a")
            case "ь" where index + 1 < scalars.count && (scalars[index + 1] == "е" || scalars[index + 1] == "и"):
                // Grigoryev, Ilyin: a soft sign before `е` or `и` is written.
                output.append("y")
            case "υ" where previous == "ο": output.append("u")
            case "υ" where previous == "α" || previous == "ε": output.append("v")
            default:
                if let spelled = letters[scalar] {
                    output.append(contentsOf: spelled.unicodeScalars)
                } else {
                    output.append(scalar)
                }
            }
        }
        return output
    }

    private static func isHangulSyllable(_ scalar: Unicode.Scalar) -> Bool {
        (0xAC00...0xD7A3).contains(scalar.value)
    }

    /// One Hangul syllable in the Revised Romanization of Korean (2000), letter by letter.
    static func revised(_ syllable: Unicode.Scalar) -> String {
        let index = Int(syllable.value) - 0xAC00
        return initials[index / 588] + medials[(index % 588) / 28] + finals[index % 28]
    }

    private static let initials = [
        "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h",
    ]
    private static let medials = [
        "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu",
        "ui", "i",
    ]
    private static let finals = [
        "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng",
        "t", "t", "k", "t", "p", "t",
    ]

    /// Korean family names of one syllable, spelled as their bearers most often spell them (not the Revised
    /// Romanization: 이 is `lee`, not `i`; 박 `park`, not `bak`).
    static let koreanSurnames: [Unicode.Scalar: String] = [
        "김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang", "조": "cho", "윤": "yoon",
        "장": "jang", "임": "lim", "한": "han", "오": "oh", "서": "seo", "신": "shin", "권": "kwon", "황": "hwang",
        "안": "ahn", "송": "song", "류": "ryu", "전": "jeon", "홍": "hong", "고": "ko", "문": "moon", "양": "yang",
        "손": "son", "배": "bae", "백": "baek", "허": "heo", "유": "yoo", "남": "nam", "심": "shim", "노": "noh",
        "하": "ha", "곽": "kwak", "성": "sung", "차": "cha", "주": "joo", "우": "woo", "구": "koo", "민": "min",
        "진": "jin", "나": "na", "지": "ji", "엄": "um", "채": "chae", "원": "won", "천": "chun", "방": "bang",
        "공": "kong", "현": "hyun", "함": "ham", "변": "byun", "염": "yeom", "여": "yeo", "추": "choo", "도": "do",
        "소": "so", "석": "seok", "선": "sun", "설": "seol", "마": "ma", "길": "gil", "연": "yeon", "위": "wi",
        "표": "pyo", "명": "myung", "기": "ki", "반": "ban", "왕": "wang", "금": "keum", "옥": "ok", "육": "yook",
        "인": "in", "맹": "maeng", "제": "je", "모": "mo", "탁": "tak", "국": "kook", "은": "eun", "편": "pyun",
        "용": "yong", "예": "ye", "경": "kyung", "봉": "bong", "사": "sa", "부": "boo",
    ]

    /// A Korean name written in Hangul, family name first (`김민지`, `김 민지`), reordered given name first (`민지 김`)
    /// as display names are read; `nil` for any other text. A word of three syllables whose first is a family name
    /// is split after it.
    static func koreanGivenNameFirst(_ text: String) -> String? {
        let words = text.split(separator: " ")
        guard (1...2).contains(words.count),
            words.allSatisfy({ $0.unicodeScalars.allSatisfy(isHangulSyllable) }),
            let first = words[0].unicodeScalars.first, koreanSurnames[first] != nil
        else { return nil }
        let syllables = Array(words[0].unicodeScalars)
        if words.count == 1 {
            guard syllables.count == 3 else { return nil }
            return String(String.UnicodeScalarView(syllables.dropFirst())) + " " + String(first)
        }
        guard syllables.count == 1, words[1].unicodeScalars.count >= 2 else { return nil }
        return String(words[1]) + " " + String(words[0])
    }

    /// Lowercase Cyrillic and Greek letters (decomposed, without accents) and their Latin spelling.
    private static let letters: [Unicode.Scalar: String] = [
        // Russian
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
        "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
        "я": "ya",
        // Ukrainian, Belarusian, Serbian, Macedonian
        "є": "ye", "і": "i", "ґ": "g", "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj",
        "ќ": "kj", "ѕ": "dz",
        // Greek
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
        "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
        "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
    ]
}
