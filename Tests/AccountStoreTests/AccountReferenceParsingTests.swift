import AccountModel
import AccountStore
import Testing

/// The CLI's rule for an account argument: a UUID is a public id, text with an `@` an address, anything else a
/// username. The `@` is looked for in the bytes, as the address rules find it: joined to U+0600 before it (one
/// character with it) it is still an `@`, and `ann\u{600}@example.org`, a valid address, was read as a username.
struct AccountReferenceParsingTests {
    @Test(arguments: [
        ("1c44a3b7-0d2e-4f5a-9b6c-7d8e9f0a1b2c", AccountReference.id(UserID("1c44a3b7-0d2e-4f5a-9b6c-7d8e9f0a1b2c")!)),
        ("ann@example.org", .email("ann@example.org")),
        ("ann\u{600}@example.org", .email("ann\u{600}@example.org")),
        ("ann", .username("ann")),
    ])
    func readsAnArgumentAsTheCLIDoes(text: String, reference: AccountReference) {
        #expect(AccountReference(text) == reference)
    }
}
