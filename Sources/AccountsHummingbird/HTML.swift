/// HTML text: everything that comes from a person, Twitter or the store goes through ``escape(_:)``.
enum HTML: Sendable {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, safe in element content and quoted attributes.
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }

    /// A hidden input.
    static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape(value))\">"
    }

    /// A form of one button that posts to `action` with the session's CSRF token (and `fields`).
    static func button(
        _ label: String, action: String, csrf: String, fields: [(String, String)] = [], id: String? = nil
    ) -> String {
        let idAttribute = id.map { " id=\"\(escape($0))\"" } ?? ""
        let hiddenFields = fields.map { hidden($0.0, $0.1) }.joined()
        return """
            <form method="post" action="\(escape(action))" class="inline">\(hidden("csrf_token", csrf))\(hiddenFields)\
            <button type="submit"\(idAttribute)>\(escape(label))</button></form>
            """
    }
}
