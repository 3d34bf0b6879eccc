/// HTML text written by hand, for the pages the project serves or writes (demo app, sandbox consent page, duplicate
/// report): one escaper for all of them.
package enum HTMLText: Sendable {
    /// `text` safe in element content and quoted attribute values: `&`, `<`, `>`, `"` and `'` become entities, and
    /// what HTML forbids in a page (``isForbidden(_:)``: controls other than newline and tab, noncharacters) becomes
    /// U+FFFD.
    package static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default:
                if HTMLText.isForbidden(scalar) {
                    output += "&#xFFFD;"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }

    /// What HTML's syntax calls a parse error in a page's text, and a validator "Forbidden code point": C0 controls
    /// (but line feed and tab), DEL, the C1 controls (U+009B is a terminal's CSI) and the noncharacters (U+FDD0–U+FDEF
    /// and the last two of every plane). A numeric reference to one is an error too, so they become U+FFFD.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 { return scalar != "\n" && scalar != "\t" }
        return (0x7F...0x9F).contains(value) || (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE
    }
}
