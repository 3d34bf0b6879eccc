// libFuzzer target: the sealed-secret parser and opener (KeyRing.open).
//
// Built with -sanitize=fuzzer (Scripts/fuzz.sh) libFuzzer drives it; built normally it replays the files (or
// folders of files) named on its command line, which is how the test suite runs the committed seed corpus.
import AccountCrypto
import FuzzSupport

/// One input: must never crash, hang or leak, whatever the bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // Opening arbitrary bytes fails in one of the three typed ways. Only a value really sealed under the fuzz key
    // for this row opens, and then to exactly what was sealed: GCM cannot be forged by mutation.
    if let opened = try? FuzzKeys.ring.open(bytes, purpose: .twitterCredential, rowKey: "42") {
        precondition(opened == FuzzKeys.plaintext, "arbitrary bytes opened to something never sealed")
    }
    _ = KeyRing.keyID(ofSealed: bytes)
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
