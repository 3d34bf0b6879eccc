// libFuzzer target: RFC 3339 timestamps (round trip), the ACCOUNTS_KEYS parser, SQL
// script splitting.
import AccountCrypto
import AccountTransfer
import FuzzSupport

@testable import AccountStore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    // Timestamps: what reads has no problem, and its UTC text reads back to the same instant.
    if let time = TransferTimestamp(rfc3339: text) {
        FuzzCheck.require(TransferTimestamp.problem(with: text) == nil, "parsed but problem(with:) says otherwise")
        let written = time.description
        let again = TransferTimestamp(rfc3339: written)
        FuzzCheck.require(again == time, "timestamp round trip: \(text) -> \(written) -> \(String(describing: again))")
    } else {
        FuzzCheck.require(TransferTimestamp.problem(with: text) != nil, "no parse but no problem")
    }
    // A clamped instant writes text that reads back.
    if bytes.count >= 8 {
        let raw = bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
        let time = TransferTimestamp(microseconds: raw)
        FuzzCheck.require(
            TransferTimestamp(rfc3339: time.description) == time, "microseconds \(raw) do not round trip: \(time)")
    }
    // Keys in the environment variable: never a crash, and errors never hold the key text.
    do {
        _ = try KeyRing.load(keysFile: nil, environment: ["ACCOUNTS_KEYS": text])
    } catch {
        _ = "\(error)"
    }
    // SQL script splitting: every byte ends up in exactly one statement, in order.
    if bytes.count < 4096 {
        let script = SQLScript(text)
        let joined = script.statements.map(\.sql).joined()
        FuzzCheck.require(
            joined.utf8.count <= text.utf8.count, "SQLScript statements longer than the script")
        for statement in script.statements {
            _ = SQLScript.transactionKeyword(statement.sql)
            _ = SQLScript.summary(statement.sql)
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
