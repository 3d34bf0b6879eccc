import AccountModel
import Foundation
import TestSupport
import Testing

@testable import DuplicateDetection

/// A handle's surprise for a pair does not depend on which of the two accounts comes first: a comparer remembers it
/// under the pair's name signature (``PairScorer/nameSignature(adding:to:)``), which the order does not change.
@Suite(.offThePool)
struct HandleExplainerOrderTests {
    /// João Silva and João Pereira Santos Silva: Silva is the first family word of one and the third of the other.
    /// The letters many Joãos write in front of their family name (`joaozinho`) count in front of Silva either way.
    /// Until session 58 a family word counted only as it was first met, so with the second account first Silva was
    /// never a name to find letters in front of, and the surprise of `joaozinhosilva` depended on which pair a worker
    /// met first.
    @Test func aFamilyNameFirstInOneNameAndThirdInTheOtherCountsInEitherOrder() throws {
        var detector = DuplicateDetector()
        detector.add(account("jsilva", email: "js@example.org", first: "João", last: "Silva"))
        detector.add(account("jpss", email: "jpss@example.com", first: "João", last: "Pereira Santos Silva"))
        for family in ["Costa", "Lima", "Rocha", "Souza", "Alves", "Gomes", "Ramos"] {
            let handle = "joaozinho" + family.lowercased()
            detector.add(account(handle, email: "\(handle)@example.net", first: "João", last: family, screen: handle))
        }
        detector.add(contentsOf: strangers(300))
        var table = detector.table
        table.finishLoading()
        table.awaitHandleCounts()

        let handle = Array("joaozinhosilva".utf8)
        let forward = handle.withUnsafeBufferPointer { HandleExplainer(table: table, accounts: (0, 1)).surprise($0) }
        let reverse = handle.withUnsafeBufferPointer { HandleExplainer(table: table, accounts: (1, 0)).surprise($0) }
        #expect(forward == reverse, "João Silva first: \(forward) bits; João Pereira Santos Silva first: \(reverse)")
        // (the letters in front of Silva are what many Joãos write: fewer bits than a handle nobody's names explain)
        let stranger = Array("qwzxkvbnmtrpls".utf8).withUnsafeBufferPointer {
            HandleExplainer(table: table, accounts: (0, 1)).surprise($0)
        }
        #expect(forward < stranger, "joaozinhosilva: \(forward) bits; a handle of no one's names: \(stranger)")
    }
}
