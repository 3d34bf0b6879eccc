import AccountMatching
import AccountModel
import DuplicateDetection
import Foundation

/// A person's account for a handmade test set: fields by name, a deterministic public id from the username.
func account(
    _ username: String, email: String? = nil, first: String? = nil, last: String? = nil, screen: String? = nil,
    twitterName: String? = nil
) -> MatchableAccount {
    var hasher: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in username.utf8 { hasher = (hasher ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    let hex = String(hasher, radix: 16)
    let padded = String(repeating: "0", count: 16 - hex.count) + hex
    let id = "\(padded.prefix(8))-\(padded.dropFirst(8).prefix(4))-4\(padded.dropFirst(12).prefix(3))-8000-000000000000"
    return MatchableAccount(
        id: UserID(uncheckedRawValue: id), username: username, email: email,
        emailMailbox: email.flatMap(Mailbox.normalize), emailRulesVersion: email == nil ? nil : Mailbox.rulesVersion,
        firstName: first, lastName: last, twitterScreenName: screen, twitterName: twitterName)
}

/// Other people carrying one name, one account each: a handle each, and an address made from it.
func namesakes(_ first: String, _ last: String, _ handles: [String]) -> [MatchableAccount] {
    handles.map { account($0, email: "\($0)@example.net", first: first, last: last) }
}

/// Runs the detector over `accounts`.
func detect(_ accounts: [MatchableAccount], settings: DetectionSettings = DetectionSettings()) -> DuplicateReport {
    var detector = DuplicateDetector(settings: settings)
    detector.add(contentsOf: accounts)
    return detector.report(generatedAt: Date(timeIntervalSince1970: 1_800_000_000))
}

extension DuplicateReport {
    /// Each cluster's usernames, sorted.
    var usernameClusters: [[String]] {
        clusters.map { $0.members.map(\.account.username) }
    }
}

/// Strangers that fill a store so that name frequencies mean something: `count` people with distinct synthetic
/// names and handles.
func strangers(_ count: Int) -> [MatchableAccount] {
    let syllables = ["ka", "lo", "ri", "ve", "ta", "na", "mi", "so", "de", "ra", "el", "an", "or", "is", "um", "ba"]
    return (0..<count).map { index in
        let given = syllables[index % 16] + syllables[(index / 16) % 16] + "x"
        let family = syllables[(index / 7) % 16] + syllables[(index / 3) % 16] + "q" + syllables[index % 11]
        return account(
            "s\(index)_\(given)", email: "\(given).\(index)@example.net", first: given.capitalized,
            last: family.capitalized)
    }
}
