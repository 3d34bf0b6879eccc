import AccountModel
import AccountTransfer
import Foundation
import Glibc
import TestSupport
import Testing

let fullRecord = AccountRecord(
    username: try! Username(validating: "zoe"), email: try! EmailAddress(validating: "zoe@example.org"),
    firstName: "Zoë \"Z\", the\\first", lastName: "山田",
    createdAt: TransferTimestamp(microseconds: 1_714_566_600_250_000),
    twitter: AccountRecord.Twitter(id: TwitterUserID(9_007_199_254_740_993), screenName: "zoe_a", name: "Zoë"),
    passwordHash: Secret(djangoHash))
let bareRecord = AccountRecord(
    username: try! Username(validating: "bob"), createdAt: TransferTimestamp(microseconds: 1_714_566_600_000_000))

/// What a writer produces for `records`.
func written(_ records: [AccountRecord], format: TransferFormat, hashes: Bool) throws -> String {
    try withTemporaryDirectorySync { dir in
        let path = dir + "/out"
        let writer = try AccountWriter(format: format, includePasswordHashes: hashes, path: path)
        for record in records { try writer.write(record) }
        try writer.finish()
        return String(decoding: fileBytes(path), as: UTF8.self)
    }
}

struct AccountWriterTests {
    @Test func writesJSONLinesWithTheContractsKeysInOrder() throws {
        let text = try written([fullRecord, bareRecord], format: .jsonl, hashes: false)
        #expect(
            text == """
                {"username": "zoe", "email": "zoe@example.org", "first_name": "Zoë \\"Z\\", the\\\\first", "last_name": "山田", "created_at": "2024-05-01T12:30:00.250000Z", "twitter": {"id": "9007199254740993", "screen_name": "zoe_a", "name": "Zoë"}}
                {"username": "bob", "email": null, "first_name": null, "last_name": null, "created_at": "2024-05-01T12:30:00Z", "twitter": null}

                """)
    }

    @Test func addsThePasswordHashLastOnlyWhenAskedFor() throws {
        let jsonl = try written([fullRecord, bareRecord], format: .jsonl, hashes: true)
        let lines = jsonl.split(separator: "\n")
        #expect(lines[0].hasSuffix(", \"password_hash\": \"\(djangoHash)\"}"))  // lint: no secret (the fixture's)
        #expect(lines[1].hasSuffix(", \"twitter\": null, \"password_hash\": null}"))
        let csv = try written([fullRecord], format: .csv, hashes: true)
        #expect(csv.hasPrefix(csvHeader + ",password_hash\n"))
        #expect(csv.hasSuffix(",\(djangoHash)\n"))  // lint: no secret (the fixture's hash, in the source)
        let holdsHash = try written([fullRecord], format: .csv, hashes: false).contains("pbkdf2")
        #expect(!holdsHash, "the export without hashes holds a pbkdf2 hash")
    }

    @Test func writesCSVWithRFC4180QuotingOnlyWhereNeeded() throws {
        let text = try written([fullRecord, bareRecord], format: .csv, hashes: false)
        #expect(
            text == """
                \(csvHeader)
                zoe,zoe@example.org,"Zoë ""Z"", the\\first",山田,2024-05-01T12:30:00.250000Z,9007199254740993,zoe_a,Zoë
                bob,,,,2024-05-01T12:30:00Z,,,

                """)
    }

    /// A name may hold U+2028 or U+2029 (line and paragraph separators; only control characters are refused): written
    /// raw, a reader that splits lines on every Unicode line break (Python's `splitlines`, Foundation's
    /// `enumerateLines`) saw one account as two broken lines. Escaped, the line is one line and reads back the same.
    @Test func aLineOrParagraphSeparatorInANameStaysInItsLine() throws {
        let record = AccountRecord(
            username: try Username(validating: "ann"), firstName: "Ann\u{2028}Lee", lastName: "Lee\u{2029}Ann",
            createdAt: TransferTimestamp(microseconds: 1_714_566_600_000_000),
            twitter: AccountRecord.Twitter(id: TwitterUserID(42), screenName: "ann", name: "A\u{2028}nn"))
        let text = try written([record], format: .jsonl, hashes: false)
        #expect(!text.unicodeScalars.contains { $0 == "\u{2028}" || $0 == "\u{2029}" })
        #expect(text.split(whereSeparator: \.isNewline).count == 1)
        #expect(text.contains(#""first_name": "Ann\u2028Lee", "last_name": "Lee\u2029Ann""#))
        #expect(records(try readItems(text, format: .jsonl)) == [record])
    }

    @Test(arguments: [TransferFormat.jsonl, .csv])
    func whatIsWrittenReadsBackTheSame(format: TransferFormat) throws {
        let text = try written([fullRecord, bareRecord], format: format, hashes: true)
        let items = try readItems(text, format: format)
        #expect(records(items) == [fullRecord, bareRecord])
    }

    @Test func aFileAppearsOnlyWhenFinishedAndAnAbandonedOneLeavesNothing() throws {
        try withTemporaryDirectorySync { dir in
            let path = dir + "/out.jsonl"
            writeFile(path, Array("old".utf8))
            do {
                let writer = try AccountWriter(format: .jsonl, includePasswordHashes: false, path: path)
                try writer.write(bareRecord)
                // Not finished: the old file is untouched
                #expect(fileBytes(path) == Array("old".utf8))
            }
            #expect(fileBytes(path) == Array("old".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.jsonl"])

            let writer = try AccountWriter(format: .jsonl, includePasswordHashes: false, path: path)
            try writer.write(bareRecord)
            try writer.finish()
            #expect(String(decoding: fileBytes(path), as: UTF8.self).hasPrefix("{\"username\": \"bob\""))
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.jsonl"])
        }
    }

    /// A symbolic link to a file is replaced by the export, not followed: a link planted in a shared directory
    /// cannot aim the write at another file.
    @Test func aSymbolicLinkToAFileIsReplacedNotFollowed() throws {
        try withTemporaryDirectorySync { dir in
            writeFile(dir + "/other.jsonl", Array("old".utf8))
            try FileManager.default.createSymbolicLink(atPath: dir + "/out.jsonl", withDestinationPath: "other.jsonl")
            let writer = try AccountWriter(format: .jsonl, includePasswordHashes: false, path: dir + "/out.jsonl")
            try writer.write(bareRecord)
            try writer.finish()
            var info = stat()
            #expect(lstat(dir + "/out.jsonl", &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
            #expect(String(decoding: fileBytes(dir + "/out.jsonl"), as: UTF8.self).hasPrefix("{\"username\": \"bob\""))
            #expect(fileBytes(dir + "/other.jsonl") == Array("old".utf8))
            let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            #expect(names == ["other.jsonl", "out.jsonl"])
        }
    }

    /// A FIFO (like `/dev/null` or `/dev/stdout`, not a regular file) is written to, not replaced: renaming a file
    /// over it would put a regular file in its place, as `--output /dev/null` once did to the null device.
    @Test func aFIFOIsWrittenToNotReplaced() throws {
        try withTemporaryDirectorySync { dir in
            let fifo = dir + "/pipe"
            #expect(mkfifo(fifo, 0o600) == 0)
            let read = readAll(fifo)
            let writer = try AccountWriter(format: .jsonl, includePasswordHashes: false, path: fifo)
            try writer.write(bareRecord)
            try writer.finish()
            #expect(String(decoding: read(), as: UTF8.self).hasPrefix("{\"username\": \"bob\""))
            var info = stat()
            #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["pipe"])
        }
    }

    /// A link to a FIFO or a device (`/dev/stdout` is one) is written through.
    @Test func aSymbolicLinkToAFIFOIsWrittenThrough() throws {
        try withTemporaryDirectorySync { dir in
            #expect(mkfifo(dir + "/pipe", 0o600) == 0)
            try FileManager.default.createSymbolicLink(atPath: dir + "/stdout", withDestinationPath: "pipe")
            let read = readAll(dir + "/pipe")
            let writer = try AccountWriter(format: .csv, includePasswordHashes: false, path: dir + "/stdout")
            try writer.write(bareRecord)
            try writer.finish()
            #expect(String(decoding: read(), as: UTF8.self).hasPrefix("username,email,"))
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/stdout") == "pipe")
        }
    }

    @Test func aDirectoryIsRefused() throws {
        try withTemporaryDirectorySync { dir in
            #expect(throws: TransferError.cannotOpen(path: dir, reason: "is a directory")) {
                _ = try AccountWriter(format: .csv, includePasswordHashes: false, path: dir)
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(left.isEmpty)
        }
    }

    @Test func anOutputInAMissingDirectoryCannotBeOpened() {
        #expect(throws: TransferError.cannotOpen(path: "/nonexistent/out.csv", reason: "No such file or directory")) {
            _ = try AccountWriter(format: .csv, includePasswordHashes: false, path: "/nonexistent/out.csv")
        }
    }
}
