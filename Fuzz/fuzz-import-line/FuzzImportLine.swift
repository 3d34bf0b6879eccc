// libFuzzer target: the OAuth callback query parser (TwitterCallback).
//
// Built with -sanitize=fuzzer (Scripts/fuzz.sh) libFuzzer drives it; built normally it replays the files (or
// folders of files) named on its command line, which is how the test suite runs the committed seed corpus.
import AccountTransfer
import Foundation
import FuzzSupport

/// One input: must never crash, hang or leak, whatever the bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // The reader streams from a file descriptor: give it the bytes as a file, then read every record in both
    // formats. Every outcome is a record or a line problem; nothing may crash or hang.
    let path = FuzzScratch.path
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return 0 }
    for format in TransferFormat.allCases {
        guard let reader = try? AccountReader(path: path, format: format) else { continue }
        var count = 0
        while count < 100_000, let item = try? reader.next() {
            _ = item
            count += 1
        }
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
