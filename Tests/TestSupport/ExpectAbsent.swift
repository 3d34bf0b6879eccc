import Foundation
public import Testing

/// Expects `secret` in none of `texts`; a failure names the secret by `name` and prints neither it nor the text.
///
/// Swift Testing prints the operands of a failing `#expect`: `#expect(!log.contains(key))` would print the key and
/// the log that holds it, in the very case where the secret leaked. `Scripts/lint-test-secrets.sh` flags that form.
///
///     expectAbsent(token, named: "the reset token", in: log)
///     expectAbsent(keyA, named: "key A", in: result.stdout, result.stderr)
public func expectAbsent(
    _ secret: some StringProtocol, named name: String, in texts: String...,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    for (index, text) in texts.enumerated() {
        let leaked = text.contains(secret)
        let place = texts.count == 1 ? "the text" : "text \(index + 1) of \(texts.count)"
        #expect(!leaked, "\(name) is in \(place) (neither is printed)", sourceLocation: sourceLocation)
    }
}
