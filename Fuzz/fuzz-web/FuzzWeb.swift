// libFuzzer target: the web layer's parsers: trusted-proxy ranges (round trip), forwarding
// headers, the Host check, posted forms, User-Agent labels.
import FuzzSupport

@testable import AccountsHummingbird

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let (a, b) = FuzzCheck.twoStrings(bytes)
    if let range = try? AccountRoutes.AddressRange(a) {
        let written = range.description
        let again = try? AccountRoutes.AddressRange(written)
        FuzzCheck.require(again == range, "AddressRange round trip: \(a) -> \(written) -> \(String(describing: again))")
    }
    for isForwarded in [false, true] {
        for address in AccountRoutes.forwardedAddresses([a, b], isForwarded: isForwarded) {
            if let address {
                FuzzCheck.require(address.count == 4 || address.count == 16, "address of \(address.count) bytes")
                _ = AccountRoutes.clientKey(bytes: address)
            }
        }
    }
    if let v6 = AccountRoutes.ipv6Bytes(Substring(a)) {
        FuzzCheck.require(v6.count == 16, "IPv6 of \(v6.count) bytes")
    }
    _ = Origin.isValidAuthority(a)
    if let form = PostedForm.parse(bytes) { _ = form["csrf_token"] }
    _ = DeviceLabel.from(userAgent: a)
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
