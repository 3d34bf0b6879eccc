// libFuzzer target: the Twitter profile decoder and the error-body decoders (JSON, and the OAuth endpoints' XML).
//
// Built with -sanitize=fuzzer (Scripts/fuzz.sh) libFuzzer drives it; built normally it replays the files (or
// folders of files) named on its command line, which is how the test suite runs the committed seed corpus.
import FuzzSupport
import TwitterOAuth

/// One input: must never crash, hang or leak, whatever the bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? TwitterProfile(json: bytes)
    for status in [200, 401, 429, 503] {
        let headers = [HTTPHeader(name: "x-rate-limit-reset", value: String(decoding: bytes.prefix(12), as: UTF8.self))]
        _ = TwitterClient.error(for: HTTPTransportResponse(status: status, headers: headers, body: bytes))
    }
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
