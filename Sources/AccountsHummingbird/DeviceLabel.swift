/// A coarse label for what a browser is ("Firefox on Linux"), read from its `User-Agent` header at sign-in so that
/// the account page can tell the person's sessions apart ("Where you're signed in"). Only the label is kept: the
/// header itself, with its version numbers and build details, would single a person out more than it helps them.
///
/// The rules are the order that matters for real headers: Edge, Opera, Samsung Internet and Chrome on iOS all say
/// "Chrome" or "Safari" too, and Android says "Linux".
package enum DeviceLabel {
    /// What a sign-in from a browser with no label (``from(userAgent:)`` is nil) counts as among the account's
    /// devices: a script that sends no `User-Agent`, or an odd one, is a device the account may not know, which is
    /// what the new-device notice is for.
    package static let unknown = "An unknown browser"

    /// The label, or nil for a missing header or one naming neither a browser nor a system this knows.
    package static func from(userAgent: String?) -> String? {
        guard let userAgent, !userAgent.isEmpty else { return nil }
        let text = Text(String(userAgent.prefix(512)))
        let browser = Self.browser(text)
        let system = Self.system(text)
        switch (browser, system) {
        case (let browser?, let system?): return "\(browser) on \(system)"
        case (let browser?, nil): return browser
        case (nil, let system?): return "A browser on \(system)"
        case (nil, nil): return nil
        }
    }

    private static func browser(_ text: Text) -> String? {
        let rules: [(token: String, name: String)] = [
            ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("OPR/", "Opera"), ("Opera", "Opera"),
            ("SamsungBrowser/", "Samsung Internet"), ("YaBrowser/", "Yandex Browser"), ("Vivaldi/", "Vivaldi"),
            ("FxiOS/", "Firefox"), ("Firefox/", "Firefox"), ("CriOS/", "Chrome"), ("HeadlessChrome/", "Chrome"),
            ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("Version/", "Safari"), ("curl/", "curl"),
            ("Wget/", "Wget"), ("python-requests/", "Python requests"),
        ]
        for rule in rules where text.contains(rule.token) {
            // "Version/…" is Safari's mark only with "Safari/" beside it.
            if rule.token == "Version/" && !text.contains("Safari/") { continue }
            return rule.name
        }
        return nil
    }

    private static func system(_ text: Text) -> String? {
        let rules: [(token: String, name: String)] = [
            ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Macintosh", "macOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"),
            ("FreeBSD", "FreeBSD"),
        ]
        return rules.first { text.contains($0.token) }?.name
    }

    /// A header's text, searched for the rules' tokens: byte by byte when it is ASCII (real headers are), where that is
    /// what `String.contains` finds (no token holds a carriage return or line feed, the only ASCII pair that is one
    /// `Character`), at a fraction of the cost (String's search took about 50 µs a sign-in); by `String.contains`
    /// otherwise.
    package struct Text {
        let text: String
        let ascii: [UInt8]?

        package init(_ text: String) {
            self.text = text
            ascii = text.utf8.allSatisfy { $0 < 0x80 } ? Array(text.utf8) : nil
        }

        package func contains(_ token: String) -> Bool {
            guard let ascii else { return text.contains(token) }
            let needle = Array(token.utf8)
            guard !needle.isEmpty else { return true }
            guard needle.count <= ascii.count else { return false }
            for start in 0...(ascii.count - needle.count) where ascii[start] == needle[0] {
                var matched = 1
                while matched < needle.count && ascii[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            return false
        }
    }
}
