// libFuzzer target: the OAuth callback query parser (TwitterCallback).
//
// Built with -sanitize=fuzzer (Scripts/fuzz.sh) libFuzzer drives it; built normally it replays the files (or
// folders of files) named on its command line, which is how the test suite runs the committed seed corpus.
import Foundation
import FuzzSupport
import TwitterOAuth

/// One input: must never crash, hang or leak, whatever the bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? TwitterCallback(query: text)
    if let url = URL(string: "https://app.example/cb?" + text) { _ = try? TwitterCallback(url: url) }
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
