import AccountMatching
import Testing

struct SoundexTests {
    /// The U.S. National Archives' examples ("The Soundex Indexing System"), plus typos it should absorb.
    @Test(arguments: [
        ("Robert", "R163"), ("Rupert", "R163"), ("Rubin", "R150"), ("Ashcraft", "A261"), ("Ashcroft", "A261"),
        ("Tymczak", "T522"), ("Pfister", "P236"), ("Honeyman", "H555"), ("Smith", "S530"), ("Smyth", "S530"),
        ("Smtih", "S530"), ("Lee", "L000"), ("Müller", "M460"),
    ])
    func codes(_ word: String, _ expected: String) {
        #expect(Soundex.code(word) == expected)
    }

    @Test func needsALetter() {
        #expect(Soundex.code("") == nil)
        #expect(Soundex.code("42") == nil)
        #expect(Soundex.code("山田") == nil)
    }
}
