import AccountModel
import Testing

struct MatchableAccountBatchTests {
    static let accounts = [
        MatchableAccount(
            id: UserID(uncheckedRawValue: "00000000-0000-4000-8000-000000000001"), username: "zoe",
            email: "Zoë@Bücher.example", emailMailbox: "zoë@xn--bcher-kva.example", emailRulesVersion: 3,
            firstName: "Zoë", lastName: "Ångström", twitterScreenName: "zoe_a", twitterName: "Zoë Å 🌸",
            twitterUserID: TwitterUserID(UInt64.max)),
        MatchableAccount(id: UserID(uncheckedRawValue: "00000000-0000-4000-8000-000000000002"), username: "bare"),
        MatchableAccount(
            id: UserID(uncheckedRawValue: "00000000-0000-4000-8000-000000000003"), username: "empty", email: "",
            firstName: "", lastName: nil, twitterScreenName: "", twitterName: ""),
    ]

    @Test func accountsComeBackAsTheyWentIn() {
        let batch = MatchableAccountBatch(Self.accounts)
        #expect(batch.count == 3)
        #expect((0..<batch.count).map { batch[$0] } == Self.accounts)
    }

    @Test func missingAndEmptyFieldsDiffer() {
        let batch = MatchableAccountBatch(Self.accounts)
        #expect(!batch.has(.email, of: 1) && batch.text(.email, of: 1) == nil)
        #expect(batch.has(.email, of: 2) && batch.text(.email, of: 2) == "")
        #expect(batch.withField(.firstName, of: 2) { $0?.count } == 0)
        #expect(batch.withField(.lastName, of: 2) { $0 == nil })
        #expect(batch.emailRulesVersion(of: 0) == 3 && batch.emailRulesVersion(of: 1) == nil)
        #expect(batch.twitterUserID(of: 0) == TwitterUserID(UInt64.max) && batch.twitterUserID(of: 1) == nil)
        #expect(batch.withField(.twitterName, of: 0) { $0.map(Array.init) } == Array("Zoë Å 🌸".utf8))
    }

    @Test func bytesGoInAsTheStoreGivesThem() {
        var batch = MatchableAccountBatch()
        batch.append(Self.accounts[1])
        batch.removeAll()
        #expect(batch.count == 0)
        let fields: [MatchableAccountBatch.Field: String] = [
            .id: "00000000-0000-4000-8000-000000000009", .username: "ann", .firstName: "Ann",
            .twitterScreenName: "ann_t",
        ]
        var buffers: [UnsafeMutableBufferPointer<UInt8>] = []
        defer { for buffer in buffers { buffer.deallocate() } }
        batch.appendAccount(emailRulesVersion: nil, twitterUserID: TwitterUserID(1_234_567_890_123_456_789)) { field in
            guard let text = fields[field] else { return nil }
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.utf8.count)
            _ = buffer.initialize(from: text.utf8)
            buffers.append(buffer)
            return UnsafeBufferPointer(buffer)
        }
        // The row's buffers are reused by the next step: the batch holds copies.
        for buffer in buffers { buffer.update(repeating: UInt8(ascii: "x")) }
        #expect(batch.count == 1)
        #expect(
            batch[0]
                == MatchableAccount(
                    id: UserID(uncheckedRawValue: "00000000-0000-4000-8000-000000000009"), username: "ann",
                    firstName: "Ann", twitterScreenName: "ann_t",
                    twitterUserID: TwitterUserID(1_234_567_890_123_456_789)))
    }

}
