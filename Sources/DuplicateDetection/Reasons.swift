import AccountMatching

/// The stable phrases a link's reasons are made of. Reports, tests and operators rely on their wording: change them
/// only on purpose.
enum Reasons {
    static func mailbox(_ match: Mailbox.Match) -> String {
        switch match {
        case .sameAddress: return "same email address apart from letter case"
        case .unicodeForms: return "same mailbox after Unicode and IDNA normalisation"
        case .gmailRules: return "same mailbox after gmail normalisation"
        case .plusAddressing: return "same mailbox after plus-address normalisation"
        }
    }

    static let namesDiffer = "names differ"

    /// `cap` accounts reached.
    static func capped(_ cap: Int) -> String {
        "cluster reached the \(cap)-account cap: links to further accounts were not followed"
    }

    /// The reason a cluster below the cap carries when a link to another cluster was not followed because the two
    /// together would pass it.
    static func cappedJoin(_ cap: Int) -> String {
        "a link to another cluster was not followed: together they would pass the \(cap)-account cap"
    }

    /// The name part of a reason, or `nil` when the names did not agree.
    static func name(
        _ level: NameAgreement, _ a: AccountTable.NameSlotKind, _ b: AccountTable.NameSlotKind, rare: Bool
    ) -> String? {
        var suffix: String
        switch level {
        case .exact: suffix = ""
        case .nickname: suffix = " through a nickname"
        case .typo: suffix = " apart from a typo"
        case .swapped: suffix = " with given and family names swapped"
        case .initial: suffix = " apart from an initial"
        case .givenOnly: suffix = " by given name only"
        case .unknown, .conflict: return nil
        }
        if rare { suffix += " (a rare name)" }
        switch (a, b) {
        case (.account, .account): return "account names match" + suffix
        case (.twitter, .twitter): return "Twitter display names match" + suffix
        default: return "Twitter display name matches account name" + suffix
        }
    }

    /// The handle part of a reason, or `nil` when no handle counted. `same`: the handles are the same (else they
    /// resemble, however much they count).
    static func handle(
        _ strength: HandleStrength, same: Bool, sharesNumber: Bool, alt: Bool = false, _ a: AccountTable.HandleSlot,
        _ b: AccountTable.HandleSlot
    ) -> String? {
        guard strength >= .weak else { return nil }
        func noun(_ slot: AccountTable.HandleSlot) -> String {
            switch slot {
            case .username: return "username"
            case .screenName: return "screen name"
            case .emailLocalPart: return "email local part"
            }
        }
        if alt { return "username marks an alt of " + noun(a == .username ? b : a) }
        if sharesNumber {
            let (first, second) = a.rawValue <= b.rawValue ? (a, b) : (b, a)
            return first == second
                ? noun(first) + "s share a number" : noun(first) + " and " + noun(second) + " share a number"
        }
        if a == b { return noun(a) + "s" + (same ? " match" : " resemble each other") }
        let verb = same ? " matches " : " resembles "
        switch Set([a, b]) {
        case [.username, .screenName]: return "screen name" + verb + "username"
        case [.username, .emailLocalPart]: return "email local part" + verb + "username"
        default: return "email local part" + verb + "screen name"
        }
    }

    /// The reason of a link whose given names agree and family names differ, carried by a handle only its two
    /// accounts hold and no name of theirs spells (``PairEvidence/familyChanged``).
    static func familyChanged(_ evidence: PairEvidence) -> String {
        let names: String
        switch (evidence.nameSlotA, evidence.nameSlotB) {
        case (.account, .account): names = "account names share"
        case (.twitter, .twitter): names = "Twitter display names share"
        default: names = "Twitter display name and account name share"
        }
        let shared =
            handle(.identical, same: true, sharesNumber: false, evidence.handleSlotA, evidence.handleSlotB) ?? ""
        return names + " a given name but not a family name, and " + shared + familyChangedHandle
    }

    /// What makes the handle of a ``familyChanged(_:)`` link count.
    static let familyChangedHandle = ", a handle no other account holds and no name spells"

    /// Why the link's accounts share a mailbox, when they do.
    static func mailboxMatch(for evidence: PairEvidence, emails: (String?, String?)) -> Mailbox.Match? {
        guard evidence.sharesMailbox, let first = emails.0, let second = emails.1 else { return nil }
        return Mailbox.match(first, second)
    }

    /// Every phrase of one link (its mailbox match, when it has one, from ``mailboxMatch(for:emails:)``), in the order
    /// they should be read.
    static func phrases(for evidence: PairEvidence, mailboxMatch: Mailbox.Match?) -> [String] {
        var phrases: [String] = []
        if let mailboxMatch { phrases.append(mailbox(mailboxMatch)) }
        if evidence.familyChanged {
            phrases.append(familyChanged(evidence))
            return phrases
        }
        let namePart = name(evidence.name, evidence.nameSlotA, evidence.nameSlotB, rare: evidence.rareName)
        let handlePart = handle(
            evidence.handle, same: evidence.handleAgreement == .identical, sharesNumber: evidence.sharesNumber,
            alt: evidence.altAccount, evidence.handleSlotA, evidence.handleSlotB)
        switch (namePart, handlePart) {
        case (let name?, let handle?): phrases.append(name + " and " + handle)
        case (let name?, nil): phrases.append(name)
        case (nil, let handle?): phrases.append(handle)
        case (nil, nil): break
        }
        if evidence.sharesMailbox && evidence.name == .conflict { phrases.append(namesDiffer) }
        return phrases
    }
}
