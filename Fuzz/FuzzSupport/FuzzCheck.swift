import Foundation

/// Invariant checks for fuzz harnesses: a violation prints what was compared and traps, so libFuzzer saves the input.
public enum FuzzCheck: Sendable {
    public static func require(
        _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #file,
        line: UInt = #line
    ) {
        if !condition() {
            FileHandle.standardError.write(Data("INVARIANT VIOLATED (\(file):\(line)): \(message())\n".utf8))
            fatalError("invariant violated", file: file, line: line)
        }
    }

    /// Splits the input at its first NUL byte (the second part empty when there is none); each part decoded as UTF-8
    /// with repairs.
    public static func twoStrings(_ bytes: [UInt8]) -> (String, String) {
        guard let nul = bytes.firstIndex(of: 0) else { return (String(decoding: bytes, as: UTF8.self), "") }
        return (String(decoding: bytes[..<nul], as: UTF8.self), String(decoding: bytes[(nul + 1)...], as: UTF8.self))
    }
}
