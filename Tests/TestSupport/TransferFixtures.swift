import AccountCrypto
public import AccountStore
public import AccountTransfer
import Foundation

/// Accounts exercising every optional field absent and present, non-ASCII and CSV-hostile names, Twitter ids
/// above 2^53, whole and fractional seconds, offsets, escapes, both password-hash formats and two accounts created
/// in the same microsecond (ordered by username, case-insensitively), as Account JSON Lines.
public let transferFixtureJSONL = """
    {"username": "bare"}
    {"username": "zoe", "email": "  Zoe@Example.org ", "first_name": "Zo\\u00eb", "last_name": "Ångström", "created_at": "2024-05-01T14:30:00.25+02:00", "twitter": {"id": "18446744073709551615", "screen_name": "zoe_a", "name": "Zoë Å"}, "password_hash": "pbkdf2_sha256$1000000$lVmtlpgxpubYPgU2pQlWmm$yQkjjJBu4KZk7Wi0VmcOqgFx8+t43oPnbAalH3UM1Hk=", "ignored": {"a": [1, 2]}}
    {"username": "yamada", "email": null, "first_name": "太郎", "last_name": "山田", "created_at": "2020-01-01T00:00:00Z", "twitter": {"id": "9007199254740993", "screen_name": "yamada_taro", "name": "山田 太郎"}}
    {"username": "beta", "created_at": "2020-01-01T00:00:00Z", "twitter": null}
    {"username": "Alpha", "email": "alpha@example.com", "created_at": "2020-01-01T00:00:00.000000Z"}
    {"username": "obrien", "email": "ob@example.net", "first_name": "Seán, \\"Jr\\"", "last_name": "O'Brien", "created_at": "1969-07-20T20:17:40.000001Z", "password_hash": "scrypt$ln=15$r=8$p=1$c2FsdHNhbHRzYWx0c2FsdA==$3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
    {"username": "tw.only", "created_at": "2021-06-30T23:59:59.999999-07:00", "twitter": {"id": "783214", "screen_name": "ada", "name": "Ada Lovelace"}}

    """

/// Imports `bytes` as `format` into `store` (through a file in `directory`), collecting the printed problems.
public func importBytes(
    _ bytes: [UInt8], format: TransferFormat, into store: AccountStore, directory: String, skipInvalid: Bool = false
) throws -> (report: ImportReport, problems: [String]) {
    let path = directory + "/import-" + UUID().uuidString + "." + format.rawValue
    writeFile(path, bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let reader = try AccountReader(path: path, format: format)
    var problems: [String] = []
    let report = try store.importAccounts(
        from: reader, options: ImportOptions(skipInvalid: skipInvalid), onProblem: { problems.append($0.description) })
    return (report, problems)
}

/// Imports `text` as `format` into `store`, collecting the printed problems.
public func importText(
    _ text: String, format: TransferFormat, into store: AccountStore, directory: String, skipInvalid: Bool = false
) throws -> (report: ImportReport, problems: [String]) {
    try importBytes(Array(text.utf8), format: format, into: store, directory: directory, skipInvalid: skipInvalid)
}

/// What `accounts export` would write for `store`.
public func exportText(
    _ store: AccountStore, format: TransferFormat, includePasswordHashes: Bool = false, directory: String
) throws -> String {
    let path = directory + "/export-" + UUID().uuidString + "." + format.rawValue
    let writer = try AccountWriter(format: format, includePasswordHashes: includePasswordHashes, path: path)
    _ = try store.exportAccounts(to: writer)
    try writer.finish()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return String(decoding: fileBytes(path), as: UTF8.self)
}

/// The SHA-256 of `text`'s UTF-8 bytes, for comparing big texts without printing them.
public func textDigest(_ text: String) -> String {
    SHA256.hexDigest(Array(text.utf8))
}
