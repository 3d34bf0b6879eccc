/// Takes a call's own token and verifier out of the messages a server sends back: Twitter's messages are shown in
/// errors and logged, and a server that repeats what it was sent ("Invalid oauth_verifier …") must not put them there.
package struct Redaction: Sendable {
    /// What stands in for a secret.
    static let placeholder = "<redacted>"
    /// The values to take out, each as sent and percent-encoded (the `Authorization` header's form); empty ones
    /// dropped.
    private let secrets: [String]

    /// Takes out each of `secrets` (empty ones ignored).
    package init(secrets: [String]) {
        var all: [String] = []
        for secret in secrets where !secret.isEmpty {
            all.append(secret)
            let encoded = PercentEncoding.encode(secret)
            if encoded != secret { all.append(encoded) }
        }
        // Longest first, so that a value's encoded form is not left half replaced by a shorter value inside it.
        self.secrets = all.sorted { $0.utf8.count > $1.utf8.count }
    }

    /// `message` without its control characters and invisible ones (format characters, as ``TwitterAPIError`` drops
    /// them, and the other default-ignorable ones: variation selectors, the combining grapheme joiner), then with
    /// every occurrence of the secrets replaced by ``placeholder``, compared byte for byte: in this order, so that a
    /// secret sent back split by an invisible character (`ab\u{200B}cd`) is whole again before it is looked for.
    func apply(_ message: String) -> String {
        let shown = message.unicodeScalars.filter {
            $0.properties.generalCategory != .control && $0.properties.generalCategory != .format
                && !$0.properties.isDefaultIgnorableCodePoint
        }
        var result = shown.count == message.unicodeScalars.count ? message : String(String.UnicodeScalarView(shown))
        for secret in secrets where result.utf8.count >= secret.utf8.count {
            result = Self.replacing(secret, in: result)
        }
        return result
    }

    private static func replacing(_ secret: String, in text: String) -> String {
        let bytes = Array(text.utf8)
        let needle = Array(secret.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var replaced = false
        while index < bytes.count {
            if index + needle.count <= bytes.count, bytes[index..<index + needle.count].elementsEqual(needle) {
                output.append(contentsOf: placeholder.utf8)
                index += needle.count
                replaced = true
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return replaced ? String(decoding: output, as: UTF8.self) : text
    }
}
