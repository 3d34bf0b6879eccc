// libFuzzer target: name parsing and folding, handles, Jaro-Winkler, the model's name and
// username rules. Input: two strings separated by a NUL byte.
import AccountModel
import FuzzSupport

@testable import AccountMatching

func scalars(_ text: String) -> String { "\(text.unicodeScalars.map { String($0.value, radix: 16) })" }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let (a, b) = FuzzCheck.twoStrings(bytes)
    var names: [AccountMatching.PersonName] = []
    for text in [a, b] {
        // Folding: the scalar table must give what Foundation gives for the whole text.
        if !text.utf8.allSatisfy({ $0 < 0x80 }), let byScalar = NameText.foldedByScalar(text) {
            let whole = NameText.foldedWithFoundation(text)
            FuzzCheck.require(
                byScalar == whole,
                "fold by scalar \(scalars(byScalar)) != Foundation \(scalars(whole)) for \(scalars(text))")
        }
        _ = NameText.tokens(text)
        _ = NameText.spellingOutUmlauts(text)
        let handle = Handle.normalize(text)
        FuzzCheck.require(Handle.normalize(handle) == handle, "Handle.normalize not idempotent for \(scalars(text))")
        _ = Handle.fromMailbox(text)
        if let name = AccountMatching.PersonName(displayName: text) {
            FuzzCheck.require(!name.given.isEmpty, "display name with empty given name: \(scalars(text))")
            names.append(name)
        }
        _ = AccountMatching.PersonName(first: text, last: b)
        // Model rules.
        let stored = AccountModel.PersonName.storable(text)
        FuzzCheck.require(
            stored.isEmpty || AccountModel.PersonName.problem(with: stored) == nil,
            "storable(x) fails problem(with:): \(scalars(text)) -> \(scalars(stored)): \(AccountModel.PersonName.problem(with: stored) ?? "")"
        )
        FuzzCheck.require(
            AccountModel.PersonName.storable(stored) == stored, "storable not idempotent for \(scalars(text))")
        _ = Username.problem(with: text)
    }
    if names.count == 2 {
        let ab = names[0].compare(names[1])
        let ba = names[1].compare(names[0])
        FuzzCheck.require(ab == ba, "PersonName.compare not symmetric: \(names[0]) \(names[1]): \(ab) vs \(ba)")
        // Handle.surprise rebuilds KnownNameWords on every call (too slow to fuzz under ASan); left out.
    }
    let ha = Handle.normalize(a), hb = Handle.normalize(b)
    if ha.utf8.count <= 200 && hb.utf8.count <= 200 {
        FuzzCheck.require(
            Handle.compare(ha, hb) == Handle.compare(hb, ha), "Handle.compare not symmetric: \(ha) \(hb)")
    }
    let jw = JaroWinkler.similarity(a, b)
    FuzzCheck.require(jw >= 0 && jw <= 1 + 1e-12, "Jaro-Winkler out of [0, 1]: \(jw)")
    FuzzCheck.require(JaroWinkler.similarity(a, a) == 1 || a.isEmpty, "Jaro-Winkler(x, x) != 1")
    let jwba = JaroWinkler.similarity(b, a)
    FuzzCheck.require(
        abs(jw - jwba) < 1e-9, "Jaro-Winkler not symmetric: \(scalars(a)) \(scalars(b)): \(jw) vs \(jwba)")
    if a.utf8.allSatisfy({ $0 < 0x80 }) && b.utf8.allSatisfy({ $0 < 0x80 }) {
        let x = Array(a.utf8), y = Array(b.utf8)
        let bytewise = x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in JaroWinkler.similarity(x, y) }
        }
        FuzzCheck.require(bytewise == jw, "byte and scalar Jaro-Winkler differ")
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
