import AccountModel
import Foundation

/// Provider-aware mailbox normalisation: two addresses that deliver to the same mailbox normalise alike.
///
/// The normalised form is stored next to each email (with ``Mailbox/rulesVersion``) and indexed, but it is not
/// unique: accounts that share it are the near-duplicates that registration-time matching and the duplicate report
/// look for.
public enum Mailbox: Sendable {
    /// The version of the rules below. Bump it whenever a rule changes, so stored forms are recomputed
    /// (`accounts reindex`, which `accounts migrate` runs when stored forms are older than this).
    ///
    /// - 1: trim, NFKC, lowercase; the provider rules below.
    /// - 2: also the IDNA ASCII form of the domain (`bücher.example` = `xn--bcher-kva.example`).
    /// - 3: Outlook.com's country domains (`hotmail.co.uk`, `live.com.mx`, `outlook.de`, …), Posteo and mailbox.org.
    /// - 4: Apple's and Proton's domains are no longer one mailbox each (`ann@me.com` is not `ann@icloud.com`).
    /// - 5: an `xn--` label that is no valid IDNA label is kept as written (it was decoded and encoded again, into
    ///   another domain: `xn--gmail.com` became `xn--hmail.com`); what UTS #46 ignores in a domain (soft hyphen,
    ///   variation selectors, …) is dropped; Fastmail's subdomain addressing (`hiking@ann.fastmail.com`).
    /// - 6: what ends a domain is removed until none is left, in any order: full stops, what UTS #46 ignores, white
    ///   space (`ann@example.org.` + a soft hyphen kept its dot, and skipped the provider rules), and white space and
    ///   ignored characters that begin it; the `@` is the last code point `@`, not the last character (an `@` and a
    ///   combining mark are one character); white space that NFKC makes at an end is trimmed (`΄`, U+0384, becomes a
    ///   space and an accent). Found by fuzzing, which checks that a mailbox normalises to itself.
    /// - 7: a domain's letters are lowercased as UTS #46 maps them where it differs from lowercase: the capital sharp
    ///   s is `ss` (`STRAẞE.de` is `strasse.de`, not `straße.de`, another domain) and Cherokee small letters are the
    ///   capitals; an address with an `@` beside a full-width or small commercial at has no mailbox
    ///   (`ann+@evil.org＠gmail.com` was `ann@gmail.com`); and (unversioned since session 50) a mailbox whose removed dots leave white space at an end is
    ///   normalised again.
    /// - 8: NFKC as Unicode defines it (``Swift/String/nfkc``): Foundation's, used until then, leaves on Linux some of
    ///   what its decomposition makes uncomposed (half-width `ﾊﾟ` was `ハ` and a combining mark, not `パ`; Hangul
    ///   compatibility jamo were conjoining jamo, not a syllable), so `ﾊﾟ@example.jp` and `パ@example.jp` were two
    ///   mailboxes; and an address with more than one `@` (full-width and small ones counted) has no mailbox:
    ///   `ann+@evil.org@gmail.com` was `ann@gmail.com`, as the full-width one was before version 7 (session 61).
    public static let rulesVersion = 8

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
    /// - Outlook.com, Hotmail, Live, MSN, with their country domains (`hotmail.co.uk`, `live.fr`, `outlook.jp`): `+tag`
    ///   plus-addressing (Microsoft Support, "Plus addressing in Outlook.com": every Outlook.com address has it). Each
    ///   domain stays its own mailbox domain.
    /// - Posteo (posteo.de and its alias domains): `+tag` (Posteo Help, "What is plus addressing?").
    /// - mailbox.org: `+tag` (mailbox.org Knowledge Base, "Using plus addresses / subaddressing").
    /// - iCloud, me.com, mac.com: `+tag` (Apple Support, "Use plus addressing with iCloud Mail"). Each domain stays
    ///   its own mailbox domain (see below).
    /// - Fastmail: `+tag`, and subdomain addressing: `hiking@ann.fastmail.com` is `ann+hiking@fastmail.com` (Fastmail
    ///   Help, "Plus addressing and subdomain addressing"; ``subdomainAddressing``).
    /// - Proton Mail (protonmail.com, protonmail.ch, proton.me, pm.me): `+tag` (Proton Support, "Addresses and aliases").
    ///   Each domain stays its own mailbox domain.
    /// - HEY: `+tag` (HEY Help, "Plus addressing").
    ///
    /// Only Gmail's two domains are one mailbox. Apple and Proton give one person a name at several of their domains,
    /// so in a live store `ann@me.com` and `ann@icloud.com` are one mailbox; they are kept apart all the same. Labelled
    /// stores made by generators that draw each person's domain on its own (three of the five this project measures
    /// with, all written without seeing the engine) hand such pairs to two people: 329 false pairs against 19 true at
    /// a million accounts on the independent generator while the rule joined them. The duplicate report still reads
    /// the same local part at both as the same handle, which links when the names agree; registration no longer
    /// offers such an account as a match.
    public static let providers: [String: ProviderRule] = {
        var rules: [String: ProviderRule] = [:]
        let gmail = ProviderRule(canonicalDomain: "gmail.com", ignoresDots: true, tagSeparator: "+")
        rules["gmail.com"] = gmail
        rules["googlemail.com"] = gmail
        for domain in outlookDomains + posteoDomains + ["mailbox.org"] {
            rules[domain] = ProviderRule(canonicalDomain: domain, ignoresDots: false, tagSeparator: "+")
        }
        let apple = ["icloud.com", "me.com", "mac.com"]
        let proton = ["protonmail.com", "protonmail.ch", "proton.me", "pm.me"]
        for domain in apple + ["fastmail.com", "fastmail.fm"] + proton + ["hey.com"] {
            rules[domain] = ProviderRule(canonicalDomain: domain, ignoresDots: false, tagSeparator: "+")
        }
        return rules
    }()

    /// Domains whose providers document subdomain addressing: mail to `anything@user.<domain>` is delivered to
    /// `user@<domain>` (Fastmail Help, "Plus addressing and subdomain addressing").
    public static let subdomainAddressing: Set<String> = ["fastmail.com", "fastmail.fm"]

    /// The user and provider domain of a subdomain-addressed domain (`ann.fastmail.com`: `ann`, `fastmail.com`).
    static func subdomainAddressed(_ domain: Substring) -> (user: Substring, domain: Substring)? {
        guard let dot = domain.firstIndex(of: "."), dot > domain.startIndex else { return nil }
        let rest = domain[domain.index(after: dot)...]
        guard subdomainAddressing.contains(String(rest)) else { return nil }
        return (domain[..<dot], rest)
    }

    /// Outlook.com's consumer domains: `outlook`, `hotmail` and `live` under the country endings Microsoft hands out,
    /// `msn.com` and `windowslive.com`.
    static let outlookDomains: [String] = {
        let endings = [
            "com", "co.uk", "fr", "de", "es", "it", "nl", "be", "at", "ch", "dk", "se", "no", "fi", "ie", "pt", "gr",
            "cz", "sk", "hu", "pl", "ca", "com.au", "co.nz", "jp", "co.jp", "kr", "com.mx", "com.ar", "com.br", "cl",
            "co.in", "in", "sg", "com.sg", "my", "ph", "co.th", "com.tr", "co.za", "ru", "com.vn",
        ]
        var domains = ["msn.com", "windowslive.com"]
        for brand in ["outlook", "hotmail", "live"] {
            for ending in endings { domains.append(brand + "." + ending) }
        }
        return domains
    }()

    /// Posteo's domains (one mailbox service under several names).
    static let posteoDomains = [
        "posteo.de", "posteo.net", "posteo.at", "posteo.ch", "posteo.eu", "posteo.org", "posteo.be", "posteo.us",
        "posteo.co.uk", "posteo.com",
    ]

    /// The normalised mailbox of `email`, or `nil` when it has no `@` with text on both sides.
    ///
    /// Surrounding whitespace is trimmed, the text is put in Unicode NFKC and lowercased, the domain is written in
    /// its IDNA ASCII form (``asciiDomain(_:)``: `bücher.example` and `xn--bcher-kva.example` are one domain), and
    /// the provider's rules (dots, `+tag`, domain aliases) are applied.
    public static func normalize(_ email: String) -> String? {
        guard let parts = split(fold(email)) else { return nil }
        return mailbox(local: parts.local, asciiDomain: asciiDomain(parts.domain))
    }

    /// The form in which the store keeps addresses unique (`users.email_key`): two addresses with the same key cannot
    /// both be stored, whatever their script.
    ///
    /// The address (already trimmed) in Unicode canonical composition (NFC), put in lower, upper and lower case again
    /// so that every case variant of a letter gets one form (`ÄNN@X.org` = `änn@x.org`, `STRASSE` = `straße`, final
    /// `ς` = `σ`; Turkish dotless `ı` meets `i`), and composed again. An ASCII address's key is its ASCII lowercase,
    /// as SQLite's `lower()` gives. Keys are stored without a rules version: a change to this function needs a
    /// migration that clears `users.email_key` (the store and `accounts reindex` then key every address again). Nothing else is folded: dots, `+tags` and
    /// IDNA forms are the normalised mailbox's business (``normalize(_:)``), which is not unique.
    public static func uniquenessKey(_ email: String) -> String {
        if email.utf8.allSatisfy({ $0 < 0x80 }) {
            guard email.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
                return email
            }
            return String(decoding: email.utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
        // Lower, upper, lower case maps every case variant of a letter to one form (`ẞ` → `ß` → `SS` → `ss`,
        // `ς` → `Σ` → `σ`); canonical composition on both sides makes composed and decomposed accents one address.
        return email.precomposedStringWithCanonicalMapping.lowercased().uppercased().lowercased()
            .precomposedStringWithCanonicalMapping
    }

    /// The provider's rules applied to a folded local part and a domain in IDNA ASCII form; `nil` when no local part
    /// is left.
    private static func mailbox(local: String, asciiDomain domain: String) -> String? {
        var localPart = Substring(local)
        var asciiDomain = domain
        if providers[asciiDomain] == nil, let addressed = subdomainAddressed(Substring(asciiDomain)) {
            localPart = addressed.user
            asciiDomain = String(addressed.domain)
        }
        if let rule = providers[asciiDomain] {
            if let separator = rule.tagSeparator, let tag = localPart.firstIndex(of: separator) {
                localPart = localPart[..<tag]
            }
            if rule.ignoresDots {
                localPart = Substring(localPart.filter { $0 != "." })
            }
            asciiDomain = rule.canonicalDomain
            if localPart.isEmpty { return nil }
        }
        let result = "\(localPart)@\(asciiDomain)"
        // (dropping dots can bare white space at the front, `\u{0C}.\u{0C}ann@gmail.com`, which folding the result
        // again would trim: normalise once more, so that a mailbox normalises to itself)
        return EmailText.trimmed(result) == result ? result : normalize(result)
    }

    /// Why two addresses share a normalised mailbox, from the mildest explanation to the strongest rewrite.
    public enum Match: Sendable, Hashable, CaseIterable {
        /// The addresses differ only in letter case or surrounding space.
        case sameAddress
        /// They differ in Unicode form (full-width letters, composed accents) or in how the domain is written
        /// (Unicode or its `xn--` IDNA form).
        case unicodeForms
        /// Gmail's rules: dots ignored, `+tag` dropped, `googlemail.com` is `gmail.com`.
        case gmailRules
        /// A provider's documented plus-addressing (`+tag` dropped) or subdomain addressing
        /// (`hiking@ann.fastmail.com`).
        case plusAddressing
    }

    /// Why `first` and `second` normalise to the same mailbox, or `nil` when they do not.
    public static func match(_ first: String, _ second: String) -> Match? {
        if case .answered(let match) = asciiMatch(first, second) { return match }
        // Each address is folded, split and its domain put in IDNA form once: its mailbox and its Unicode form (the
        // address with only the Unicode and IDNA mappings applied) both come from that.
        guard let a = split(fold(first)), let b = split(fold(second)) else { return nil }
        let domainA = asciiDomain(a.domain)
        let domainB = asciiDomain(b.domain)
        guard let normalized = mailbox(local: a.local, asciiDomain: domainA),
            normalized == mailbox(local: b.local, asciiDomain: domainB)
        else { return nil }
        if EmailText.trimmed(first).lowercased() == EmailText.trimmed(second).lowercased() { return .sameAddress }
        if a.local == b.local && domainA == domainB { return .unicodeForms }
        if normalized.hasSuffix("@gmail.com") { return .gmailRules }
        return .plusAddressing
    }

    /// ``match(_:_:)`` worked out on the bytes, for two addresses of visible ASCII (nothing to trim, no Unicode to
    /// fold) whose domains have no `xn--` label: what the duplicate report asks of every pair of accounts sharing a
    /// mailbox, where the way through `String` took a third of its clustering time.
    private static func asciiMatch(_ first: String, _ second: String) -> ASCIIAnswer {
        guard case .address(let a) = ASCIIAddress.read(first), case .address(let b) = ASCIIAddress.read(second)
        else {
            // An address the bytes cannot answer for sends both the general way (which also finds it has no
            // mailbox, when that is so).
            return .general
        }
        guard let mailboxA = a.mailbox(), let mailboxB = b.mailbox(), mailboxA.domain == mailboxB.domain,
            mailboxA.local.elementsEqual(mailboxB.local)
        else { return .answered(nil) }
        if a.lowered == b.lowered { return .answered(.sameAddress) }
        if a.at == b.at && a.lowered[..<a.domainEnd].elementsEqual(b.lowered[..<b.domainEnd]) {
            // Only trailing dots differ.
            return .answered(.unicodeForms)
        }
        return .answered(mailboxA.domain == "gmail.com" ? .gmailRules : .plusAddressing)
    }

    private enum ASCIIAnswer {
        case answered(Match?)
        case general
    }

    /// An address of visible ASCII, lowercased, split at its last `@`.
    private struct ASCIIAddress {
        var lowered: [UInt8]
        var at: Int
        /// Where the domain ends, trailing dots left out.
        var domainEnd: Int

        enum Reading {
            case address(ASCIIAddress)
            /// Not visible ASCII, no `@` with text on both sides, more than one `@` (no mailbox: ``fold(_:)``), or an
            /// `xn--` label: for the general way.
            case general
        }

        static func read(_ email: String) -> Reading {
            var lowered: [UInt8] = []
            lowered.reserveCapacity(email.utf8.count)
            for byte in email.utf8 {
                guard byte >= 0x21 && byte < 0x7F else { return .general }
                lowered.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
            }
            guard let at = lowered.lastIndex(of: UInt8(ascii: "@")),
                lowered.firstIndex(of: UInt8(ascii: "@")) == at
            else { return .general }
            var end = lowered.count
            while end > at + 1 && lowered[end - 1] == UInt8(ascii: ".") { end -= 1 }
            guard at > 0, end > at + 1 else { return .general }
            let domain = lowered[(at + 1)..<end]
            if domain.count >= 4 {
                for start in domain.startIndex...(domain.endIndex - 4)
                where domain[start..<(start + 4)].elementsEqual("xn--".utf8) {
                    return .general
                }
            }
            return .address(ASCIIAddress(lowered: lowered, at: at, domainEnd: end))
        }

        /// The provider's rules applied (as ``Mailbox/mailbox(local:asciiDomain:)`` applies them); `nil` when no local
        /// part is left.
        func mailbox() -> (local: ArraySlice<UInt8>, domain: String)? {
            var local = lowered[..<at]
            var domain = String(decoding: lowered[(at + 1)..<domainEnd], as: UTF8.self)
            if providers[domain] == nil, let addressed = Mailbox.subdomainAddressed(Substring(domain)) {
                local = lowered[(at + 1)..<(at + 1 + addressed.user.utf8.count)]
                domain = String(addressed.domain)
            }
            guard let rule = providers[domain] else { return (local, domain) }
            if let separator = rule.tagSeparator?.asciiValue, let tag = local.firstIndex(of: separator) {
                local = local[..<tag]
            }
            if rule.ignoresDots { local = ArraySlice(local.filter { $0 != UInt8(ascii: ".") }) }
            return local.isEmpty ? nil : (local, rule.canonicalDomain)
        }
    }

    /// `address` as to show it to a person who must tell it from another: as it is, followed by the address with its
    /// domain in IDNA ASCII form, in parentheses, when that form differs (`ann@аррӏе.com (ann@xn--80ak6aa92e.com)`),
    /// as browsers show such a domain. A domain in another script that looks like a familiar one (`аррӏе.com` in
    /// Cyrillic) then shows as what it is: in a notice that the account's address changed, the person must not take
    /// the new address for their own.
    public static func shownWithASCIIDomain(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        let domain = String(address[address.index(after: at)...])
        let ascii = asciiDomain(domain)
        guard ascii != domain else { return address }
        return "\(address) (\(address[..<at])@\(ascii))"
    }

    /// `domain` in its IDNA ASCII form, label by label: a label with non-ASCII letters becomes `xn--` and its
    /// Punycode (RFC 3492), once what UTS #46 ignores (``idnaIgnored(_:)``: a soft hyphen, variation selectors) is
    /// dropped; an ASCII label, `xn--` ones included, is kept as written. Ideographic full stops (`。`, `．`, `｡`)
    /// separate labels as `.` does, as IDNA says. The input is expected NFKC and lowercase already.
    ///
    /// This is the IDNA mapping Mailbox needs for matching (NFKC and lowercase, close to UTS #46's
    /// NFKC_Casefold); it does not police which code points IDNA 2008 allows.
    public static func asciiDomain(_ domain: String) -> String {
        if domain.utf8.allSatisfy({ $0 < 0x80 }) && !domain.contains("xn--") { return domain }
        let separators: Set<Character> = [".", "\u{3002}", "\u{FF0E}", "\u{FF61}"]
        let labels = domain.split(omittingEmptySubsequences: false) { separators.contains($0) }
        return labels.map { label -> String in
            let label = String(label)
            // An `xn--` label is kept as written (lowercase already): a valid one is what its Unicode form encodes
            // to, and one that is no valid IDNA label (it decodes to capitals, full-width letters, a full stop) is
            // its own domain, which decoding and encoding again would turn into another one (UTS #46 refuses it).
            if label.hasPrefix("xn--") || label.utf8.allSatisfy({ $0 < 0x80 }) { return label }
            let kept = String(String.UnicodeScalarView(label.unicodeScalars.filter { !idnaIgnored($0) }))
            if kept.utf8.allSatisfy({ $0 < 0x80 }) { return kept }
            return Punycode.encode(kept).map { "xn--" + $0 } ?? kept
        }.joined(separator: ".")
    }

    /// Whether UTS #46 maps `scalar` to nothing in a domain ("ignored" in its mapping table): the soft hyphen, the
    /// combining grapheme joiner, Mongolian variation selectors, the zero-width space, word joiner and invisible plus,
    /// variation selectors, the byte-order mark and shorthand format controls. (ZWJ and ZWNJ are kept, as
    /// nontransitional processing keeps them.)
    static func idnaIgnored(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xAD, 0x34F, 0x180B...0x180D, 0x180F, 0x200B, 0x2060, 0x2064, 0xFE00...0xFE0F, 0xFEFF, 0x1BCA0...0x1BCA3,
            0xE0100...0xE01EF:
            return true
        default: return false
        }
    }

    /// Trimmed, NFKC, lowercase (ASCII needs no NFKC), and trimmed again: NFKC can make white space at an end
    /// (`΄`, U+0384, is a space and a combining accent). After the last `@`, letters are lowercased as UTS #46 maps
    /// them (``foldDomain(_:)``).
    static func fold(_ email: String) -> String {
        let trimmed = EmailText.trimmed(email)
        // More than one `@` (or a full-width or small commercial at, which NFKC makes an `@`): which one parts the
        // mailbox is anyone's guess (`ann+@evil.org@gmail.com`, `ann+＠evil.org＠gmail.com` would be `ann@gmail.com`),
        // so none does and there is no mailbox. (`EmailAddress` refuses such addresses; one stored before it did, or a
        // Twitter profile's, may hold them.)
        if trimmed.unicodeScalars.lazy.filter({ $0 == "@" || $0 == "\u{FF20}" || $0 == "\u{FE6B}" }).count > 1 {
            return ""
        }
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }) { return trimmed.lowercased() }
        // (NFKC as Unicode defines it: Foundation's on Linux left `ﾊﾟ` as `ハ` and a mark until rules version 8)
        let compatible = trimmed.nfkc
        let folded = compatible.unicodeScalars
        guard let at = folded.lastIndex(of: "@") else { return EmailText.trimmed(compatible.lowercased()) }
        let local = String(folded[..<at]).lowercased()
        return EmailText.trimmed(local + "@" + foldDomain(String(folded[folded.index(after: at)...])))
    }

    /// `domain` lowercased as UTS #46 maps it, where that differs from Swift's lowercase: the capital sharp s (U+1E9E)
    /// is `ss`, not `ß` (which IDNA 2008 keeps, a domain of its own: `straße.de` is not `strasse.de`), and Cherokee
    /// small letters are mapped to the capitals (lowercase maps the other way).
    static func foldDomain(_ domain: String) -> String {
        var lowered = domain
        if domain.unicodeScalars.contains("\u{1E9E}") {
            // By code point (a mark or a joiner after it makes another character of it), and composed again: `ẞ` and
            // an acute accent are `sś`.
            var scalars = String.UnicodeScalarView()
            for scalar in domain.unicodeScalars {
                if scalar == "\u{1E9E}" {
                    scalars.append(contentsOf: "ss".unicodeScalars)
                } else {
                    scalars.append(scalar)
                }
            }
            lowered = String(scalars).precomposedStringWithCanonicalMapping
        }
        lowered = lowered.lowercased()
        guard lowered.unicodeScalars.contains(where: { cherokeeCapital(of: $0) != nil }) else { return lowered }
        return String(String.UnicodeScalarView(lowered.unicodeScalars.map { cherokeeCapital(of: $0) ?? $0 }))
    }

    /// The Cherokee capital UTS #46 maps a Cherokee small letter to (U+AB70–U+ABBF to U+13A0–U+13EF, U+13F8–U+13FD to
    /// U+13F0–U+13F5), `nil` for any other scalar.
    static func cherokeeCapital(of scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0xAB70...0xABBF: return Unicode.Scalar(scalar.value - 0xAB70 + 0x13A0)
        case 0x13F8...0x13FD: return Unicode.Scalar(scalar.value - 0x13F8 + 0x13F0)
        default: return nil
        }
    }

    /// Local part and domain, or `nil` when either is empty. What ends the domain is removed until none is left,
    /// whatever its order: full stops (`.`, `。`), what UTS #46 ignores (a soft hyphen: ``asciiDomain(_:)`` would drop
    /// it and leave the full stop before it) and white space (before a full stop, the trim did not reach it); so a
    /// mailbox normalises to itself. The `@` is the last one among the code points, not the characters: an `@`
    /// followed by a combining mark is one character with it, and the split must not depend on what follows.
    static func split(_ folded: String) -> (local: String, domain: String)? {
        let scalars = folded.unicodeScalars
        guard let at = scalars.lastIndex(of: "@") else { return nil }
        let local = String(scalars[..<at])
        var domain = String.UnicodeScalarView(scalars[scalars.index(after: at)...])
        while let last = domain.last,
            last == "." || last == "\u{3002}" || idnaIgnored(last) || last.properties.isWhitespace
        {
            domain.removeLast()
        }
        // (and what begins it, which Fastmail's subdomain addressing would move to the front of the mailbox)
        while let first = domain.first, idnaIgnored(first) || first.properties.isWhitespace { domain.removeFirst() }
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        return (local, String(domain))
    }
}

/// Trimming shared by the mailbox rules.
enum EmailText {
    static func trimmed(_ text: String) -> String {
        // Nothing to trim when both ends are visible ASCII (the common case; Foundation's trimming is slow).
        if let first = text.utf8.first, let last = text.utf8.last, (0x21..<0x7F).contains(first),
            (0x21..<0x7F).contains(last)
        {
            return text
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
