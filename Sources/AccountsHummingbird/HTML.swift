import AccountModel

/// HTML text: everything that comes from a person, Twitter or the store goes through ``escape(_:)``.
enum HTML: Sendable {
    /// `text` safe in element content and quoted attributes (``AccountModel/HTMLText/escape(_:)``).
    static func escape(_ text: String) -> String {
        HTMLText.escape(text)
    }

    /// `text` escaped, in a `<bdi>` element: a name written right to left, or holding a direction override (U+202E),
    /// is laid out on its own, and cannot reorder the sentence around it (a display name `Mal\u{202E}…` turned
    /// "Link … to your account ada?" around, screen name and username with it).
    static func isolated(_ text: String) -> String {
        "<bdi>" + HTMLText.escape(text) + "</bdi>"
    }

    /// A hidden input.
    static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape(value))\">"
    }

    /// The login a form's password belongs to, for password managers only: a text input hidden from view and from
    /// assistive technology (Chromium and Firefox read a text-like `autocomplete="username"` input before a password
    /// field, not a `type="hidden"` one), so that a new password is saved under, and a current one filled from, the
    /// right login, not the nearest other field (a new email address).
    static func loginForPasswordManagers(_ username: String) -> String {
        "<input type=\"text\" name=\"username\" value=\"\(escape(username))\" autocomplete=\"username\" readonly hidden>"
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
