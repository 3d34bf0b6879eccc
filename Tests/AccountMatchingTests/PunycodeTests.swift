import AccountMatching
import TestSupport
import Testing

@Suite(.offThePool)
struct PunycodeTests {
    /// RFC 3492 §7.1 sample strings (the code points written out), and the IDNA examples everyone quotes.
    static let vectors: [(name: String, scalars: [UInt32], punycode: String)] = [
        (
            "(A) Arabic (Egyptian)",
            [
                0x644, 0x64A, 0x647, 0x645, 0x627, 0x628, 0x62A, 0x643, 0x644, 0x645, 0x648, 0x634, 0x639, 0x631, 0x628,
                0x64A, 0x61F,
            ],
            "egbpdaj6bu4bxfgehfvwxn"
        ),
        (
            "(B) Chinese (simplified)", [0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587],
            "ihqwcrb4cv8a8dqg056pqjye"
        ),
        (
            "(C) Chinese (traditional)", [0x4ED6, 0x5011, 0x7232, 0x4EC0, 0x9EBD, 0x4E0D, 0x8AAA, 0x4E2D, 0x6587],
            "ihqwctvzc91f659drss3x8bo0yb"
        ),
        (
            "(D) Czech",
            [
                0x50, 0x72, 0x6F, 0x10D, 0x70, 0x72, 0x6F, 0x73, 0x74, 0x11B, 0x6E, 0x65, 0x6D, 0x6C, 0x75, 0x76, 0xED,
                0x10D, 0x65, 0x73, 0x6B, 0x79,
            ],
            "Proprostnemluvesky-uyb24dma41a"
        ),
        (
            "(L) 3<nen>B<gumi><kinpachi><sensei>", [0x33, 0x5E74, 0x42, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F],
            "3B-ww4c5e180e575a65lsy2b"
        ),
        (
            "(M) <amuro><namie>-with-SUPER-MONKEYS",
            [
                0x5B89, 0x5BA4, 0x5948, 0x7F8E, 0x6075, 0x2D, 0x77, 0x69, 0x74, 0x68, 0x2D, 0x53, 0x55, 0x50, 0x45,
                0x52,
                0x2D, 0x4D, 0x4F, 0x4E, 0x4B, 0x45, 0x59, 0x53,
            ],
            "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"
        ),
        ("(S) -> $1.00 <-", [0x2D, 0x3E, 0x20, 0x24, 0x31, 0x2E, 0x30, 0x30, 0x20, 0x3C, 0x2D], "-> $1.00 <--"),
        ("bücher", [0x62, 0xFC, 0x63, 0x68, 0x65, 0x72], "bcher-kva"),
        ("münchen", [0x6D, 0xFC, 0x6E, 0x63, 0x68, 0x65, 0x6E], "mnchen-3ya"),
    ]

    static func text(_ scalars: [UInt32]) -> String {
        String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
    }

    @Test(arguments: vectors.indices)
    func encodesRFC3492Samples(_ index: Int) {
        let vector = Self.vectors[index]
        #expect(Punycode.encode(Self.text(vector.scalars)) == vector.punycode, "\(vector.name)")
    }

    @Test(arguments: vectors.indices)
    func decodesRFC3492Samples(_ index: Int) {
        let vector = Self.vectors[index]
        #expect(Punycode.decode(vector.punycode) == Self.text(vector.scalars), "\(vector.name)")
    }

    @Test(arguments: ["bcher-kv!", "a-", "99999999999999999999", "abc-9zzzzzzzzzzzzzzz"])
    func refusesWhatIsNotPunycode(_ text: String) {
        // A trailing delimiter with nothing after it is valid (all-basic); the others are bad digits or overflow.
        if text == "a-" {
            #expect(Punycode.decode(text) == "a")
        } else {
            #expect(Punycode.decode(text) == nil)
        }
    }
}
