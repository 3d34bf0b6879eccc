/// HTML text written by hand, for the pages the project serves or writes (demo app, sandbox consent page, duplicate
/// report): one escaper for all of them.
package enum HTMLText: Sendable {
    /// `text` safe in element content and quoted attribute values: `&`, `<`, `>`, `"` and `'` become entities, and
    /// control characters other than newline and tab become U+FFFD.
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
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" {
                    output += "&#xFFFD;"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }
}
