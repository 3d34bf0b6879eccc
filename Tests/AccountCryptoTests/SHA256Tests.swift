import AccountCrypto
import Testing

/// Examples from NIST's "Cryptographic Standards and Guidelines: Examples with Intermediate Values", SHA-256
/// (https://csrc.nist.gov/csrc/media/projects/cryptographic-standards-and-guidelines/documents/examples/sha256.pdf),
/// plus the digest of the empty string.
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func matchesNISTExamples(_ message: String, _ digest: String) {
        #expect(SHA256.hexDigest(message.utf8) == digest)
        #expect(SHA256.hash(Array(message.utf8)).count == SHA256.byteCount)
        #expect(hex(SHA256.hash(message.utf8.lazy.map { $0 })) == digest)
    }
}
