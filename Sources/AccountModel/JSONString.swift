/// JSON string literals written by hand, for output whose key order is a contract (CLI JSON, audit details, reports).
package enum JSONString: Sendable {
    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped, and U+2028/U+2029 too, so
    /// the text is also safe inside a `<script>` block.
    package static func literal(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
