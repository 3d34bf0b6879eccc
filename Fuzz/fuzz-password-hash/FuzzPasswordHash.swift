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
    // Parameters are capped by the parser, so a hostile hash cannot ask for more than 256 MiB.
    _ = try? FuzzKeys.hasher.verify(
        password: "correct horse battery staple", against: String(decoding: bytes, as: UTF8.self))
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
