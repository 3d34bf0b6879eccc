/// American Soundex (as the U.S. National Archives describes it): a letter and three digits that most typos in a
/// family name keep (`Smith`, `Smyth` and `Smtih` are all `S530`). Used to find candidates, never as evidence.
public enum Soundex: Sendable {
    /// The code of `word` (folded first), or `nil` when it does not start with a letter a–z.
    public static func code(_ word: String) -> String? {
        let letters = Array(NameText.fold(word).utf8).filter { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        guard let first = letters.first else { return nil }
        var output: [UInt8] = [first - 32]
        var previous = digit(first)
        for letter in letters.dropFirst() {
            let code = digit(letter)
            if code == 0 {
                // Vowels (and y) separate equal codes; h and w do not.
                if letter != UInt8(ascii: "h") && letter != UInt8(ascii: "w") { previous = 0 }
                continue
            }
            if code != previous { output.append(UInt8(ascii: "0") + code) }
            previous = code
            if output.count == 4 { break }
        }
        while output.count < 4 { output.append(UInt8(ascii: "0")) }
        return String(decoding: output, as: UTF8.self)
    }

    private static func digit(_ letter: UInt8) -> UInt8 {
        switch letter {
        case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "p"), UInt8(ascii: "v"): return 1
        case UInt8(ascii: "c"), UInt8(ascii: "g"), UInt8(ascii: "j"), UInt8(ascii: "k"), UInt8(ascii: "q"),
            UInt8(ascii: "s"), UInt8(ascii: "x"), UInt8(ascii: "z"):
            return 2
        case UInt8(ascii: "d"), UInt8(ascii: "t"): return 3
        case UInt8(ascii: "l"): return 4
        case UInt8(ascii: "m"), UInt8(ascii: "n"): return 5
        case UInt8(ascii: "r"): return 6
        default: return 0
        }
    }
}
