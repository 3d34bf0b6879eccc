// libFuzzer target: the sandbox's users file and callback URL rules.
import FuzzSupport
import TwitterOAuth

@testable import TwitterSandbox

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? SandboxUser.decode(json: bytes)
    let (a, b) = FuzzCheck.twoStrings(bytes)
    _ = TwitterDate.parse(a)
    _ = SandboxConfiguration.problem(withCallbackURL: a)
    var configuration = SandboxConfiguration(consumer: ConsumerCredentials(key: "k", secret: "s"))
    configuration.callbackURLs = [a]
    _ = configuration.approves(callback: b)
    configuration.callbackURLs = ["http://127.0.0.1:8080/callback"]
    _ = configuration.approves(callback: a)
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
