// libFuzzer target: email validation and mailbox normalisation, Punycode, IDNA domains,
// uniqueness keys. Input: two strings separated by a NUL byte.
import AccountMatching
import AccountModel
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let (a, b) = FuzzCheck.twoStrings(bytes)
    for text in [a, b] {
        _ = try? EmailAddress(validating: text)
        let trimmed = EmailAddress.trim(text)
        FuzzCheck.require(EmailAddress.trim(trimmed) == trimmed, "trim not idempotent")
        // (Foundation's compatibility mapping on Linux was not: `ﾊﾟ` gave `ハ` and a mark, then `パ`)
        let nfkc = text.nfkc
        FuzzCheck.require(
            nfkc.nfkc.unicodeScalars.elementsEqual(nfkc.unicodeScalars),
            "NFKC not idempotent: \(text.unicodeScalars.map(\.value))")
        let normalized = Mailbox.normalize(text)
        if let normalized {
            FuzzCheck.require(
                Mailbox.normalize(normalized) == normalized,
                "normalize not idempotent: \(Array(text.unicodeScalars.map(\.value))) -> \(Array(normalized.unicodeScalars.map(\.value))) -> \(String(describing: Mailbox.normalize(normalized).map { Array($0.unicodeScalars.map(\.value)) }))"
            )
            FuzzCheck.require(Mailbox.match(text, text) == .sameAddress, "match(x, x) is not sameAddress")
        } else {
            FuzzCheck.require(Mailbox.match(text, text) == nil, "match(x, x) non-nil without a mailbox")
        }
        let key = Mailbox.uniquenessKey(trimmed)
        FuzzCheck.require(
            Mailbox.uniquenessKey(key) == key, "uniquenessKey not idempotent: \(trimmed.unicodeScalars.map(\.value))")
        _ = Mailbox.asciiDomain(text)
        // Punycode round trip on the scalars (no surrogates are possible in a String).
        if text.unicodeScalars.count < 200, let encoded = Punycode.encode(text) {
            FuzzCheck.require(encoded.utf8.allSatisfy { $0 < 0x80 }, "Punycode output not ASCII")
            let decoded = Punycode.decode(encoded)
            FuzzCheck.require(
                decoded.map { Array($0.unicodeScalars) } == Array(text.unicodeScalars),
                "Punycode decode(encode(x)) != x: \(text.unicodeScalars.map(\.value)) -> \(encoded)")
        }
        if text.utf8.count < 400 { _ = Punycode.decode(text) }
    }
    // match agrees with normalize.
    let na = Mailbox.normalize(a)
    let nb = Mailbox.normalize(b)
    let m = Mailbox.match(a, b)
    FuzzCheck.require(
        (m != nil) == (na != nil && na == nb),
        "match(\(a.unicodeScalars.map(\.value)), \(b.unicodeScalars.map(\.value))) = \(String(describing: m)) but normalize gives \(String(describing: na)) / \(String(describing: nb))"
    )
    FuzzCheck.require(m == Mailbox.match(b, a), "match not symmetric")
    return 0
}

#if !FUZZING
    @main
    struct Replay {
        static func main() throws {
            try FuzzReplay.run(CommandLine.arguments.dropFirst()) { bytes in
                _ = bytes.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
            }
        }
    }
#endif
