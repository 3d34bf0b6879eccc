// libFuzzer target: the stored password-hash parser (scrypt and Django PBKDF2 formats).
//
// Built with -sanitize=fuzzer (Scripts/fuzz.sh) libFuzzer drives it; built normally it replays the files (or
// folders of files) named on its command line, which is how the test suite runs the committed seed corpus.
import AccountCrypto
import FuzzSupport

/// One input: must never crash, hang or leak, whatever the bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    // Parameters are capped by the parser, so a hostile hash cannot ask for more than 256 MiB. One dearer than an
    // import allows is parsed, not checked: its check is the same code looped longer, and at the cap (10,000,000
    // PBKDF2 iterations: 3 s here, 27 s under ASan, whose interceptors see OpenSSL's every allocation) it outlasts
    // libFuzzer's 20 s timeout (CI, session 60).
    let costly = (try? PasswordHasher.importCost(of: text)) ?? nil
    if costly != nil { return 0 }
    _ = try? FuzzKeys.hasher.verify(password: "correct horse battery staple", against: text)
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
