import Foundation

/// Provider-aware mailbox normalisation: two addresses that deliver to the same mailbox normalise alike.
///
/// The normalised form is stored next to each email (with ``Mailbox/rulesVersion``) and indexed, but it is not
/// unique: accounts that share it are the near-duplicates that registration-time matching and the duplicate report
/// look for.
public enum Mailbox: Sendable {
    /// The version of the rules below. Bump it whenever a rule changes, so stored forms are recomputed.
    public static let rulesVersion = 1

    /// How a provider treats the local part of its addresses.
    public struct ProviderRule: Sendable, Hashable {
        /// The domain every alias of this provider normalises to.
        public var canonicalDomain: String
        /// Whether dots in the local part are ignored (Gmail).
        public var ignoresDots: Bool
        /// The character that starts a sub-address tag, if the provider documents one.
        public var tagSeparator: Character?
    }

    /// Providers whose addressing rules are documented, by domain.
    ///
    /// - Gmail and Googlemail: dots ignored, `+tag` ignored, both domains one mailbox
    ///   (Google Account Help, "Dots don't matter in Gmail addresses"; "Create task-specific email addresses").
    /// - Outlook.com, Hotmail, Live, MSN: `+tag` plus-addressing (Microsoft Support, "Plus addressing in Outlook.com").
    /// - iCloud, me.com, mac.com: `+tag` (Apple Support, "Use plus addressing with iCloud Mail").
    /// - Fastmail: `+tag` (Fastmail Help, "Plus addressing and subdomain addressing").
    /// - Proton Mail (protonmail.com, protonmail.ch, proton.me, pm.me): `+tag` (Proton Support, "Addresses and aliases").
    /// - HEY: `+tag` (HEY Help, "Plus addressing").
    public static let providers: [String: ProviderRule] = {
        var rules: [String: ProviderRule] = [:]
        let gmail = ProviderRule(canonicalDomain: "gmail.com", ignoresDots: true, tagSeparator: "+")
        rules["gmail.com"] = gmail
        rules["googlemail.com"] = gmail
        for domain in ["outlook.com", "hotmail.com", "live.com", "msn.com"] {
            rules[domain] = ProviderRule(canonicalDomain: domain, ignoresDots: false, tagSeparator: "+")
        }
        let icloud = ProviderRule(canonicalDomain: "icloud.com", ignoresDots: false, tagSeparator: "+")
        for domain in ["icloud.com", "me.com", "mac.com"] { rules[domain] = icloud }
        for domain in ["fastmail.com", "fastmail.fm"] {
            rules[domain] = ProviderRule(canonicalDomain: domain, ignoresDots: false, tagSeparator: "+")
        }
        let proton = ProviderRule(canonicalDomain: "proton.me", ignoresDots: false, tagSeparator: "+")
        for domain in ["protonmail.com", "protonmail.ch", "proton.me", "pm.me"] { rules[domain] = proton }
        rules["hey.com"] = ProviderRule(canonicalDomain: "hey.com", ignoresDots: false, tagSeparator: "+")
        return rules
    }()

    /// The normalised mailbox of `email`, or `nil` when it has no `@` with text on both sides.
    ///
    /// Surrounding whitespace is trimmed, the text is put in Unicode NFKC and lowercased, and the provider's rules
    /// (dots, `+tag`, domain aliases) are applied.
    public static func normalize(_ email: String) -> String? {
        let folded: String
        if email.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII is its own NFKC form, and its white space is 0x09–0x0D and 0x20: skip Foundation's slower path.
            let bytes = email.utf8.drop { $0 == 0x20 || (0x09...0x0D).contains($0) }
            let end = bytes.lastIndex { $0 != 0x20 && !(0x09...0x0D).contains($0) }
            folded = end.map { String(decoding: bytes[...$0], as: UTF8.self).lowercased() } ?? ""
        } else {
            folded = email.trimmingCharacters(in: .whitespacesAndNewlines)
                .precomposedStringWithCompatibilityMapping
                .lowercased()
        }
        guard let at = folded.lastIndex(of: "@") else { return nil }
        var local = Substring(folded[..<at])
        var domain = String(folded[folded.index(after: at)...])
        while domain.hasSuffix(".") { domain.removeLast() }
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        if let rule = providers[domain] {
            if let separator = rule.tagSeparator, let tag = local.firstIndex(of: separator) {
                local = local[..<tag]
            }
            if rule.ignoresDots {
                local = Substring(local.filter { $0 != "." })
            }
            domain = rule.canonicalDomain
            if local.isEmpty { return nil }
        }
        return "\(local)@\(domain)"
    }
}
