import AccountModel

/// HTML text: everything that comes from a person, Twitter or the store goes through ``escape(_:)``.
enum HTML: Sendable {
    /// `text` safe in element content and quoted attributes (``AccountModel/HTMLText/escape(_:)``).
    static func escape(_ text: String) -> String {
        HTMLText.escape(text)
    }

    /// A hidden input.
    static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape(value))\">"
    }

    /// A form of one button that posts to `action` with the session's CSRF token (and `fields`).
    static func button(
        _ label: String, action: String, csrf: String, fields: [(String, String)] = [], id: String? = nil,
        accessibleName: String? = nil
    ) -> String {
        let idAttribute =
            (id.map { " id=\"\(escape($0))\"" } ?? "") + (accessibleName.map { " aria-label=\"\(escape($0))\"" } ?? "")
        let hiddenFields = fields.map { hidden($0.0, $0.1) }.joined()
        return """
            <form method="post" action="\(escape(action))" class="inline">\(hidden("csrf_token", csrf))\(hiddenFields)\
            <button type="submit"\(idAttribute)>\(escape(label))</button></form>
            """
    }
}
