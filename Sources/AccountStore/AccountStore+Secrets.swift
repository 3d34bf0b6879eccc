import AccountCrypto
import Foundation
import GRDB

extension AccountStore {
    /// The kinds of sealed value the store keeps, with the purpose each is bound to.
    package enum SealedKind: String, CaseIterable, Sendable {
        case credential = "twitter_credentials"
        case pendingAuthorization = "pending_authorizations"
        case draft = "registration_drafts"

        var purpose: SealPurpose {
            switch self {
            case .credential: return .twitterCredential
            case .pendingAuthorization: return .pendingAuthorization
            case .draft: return .registrationDraft
            }
        }

        /// The name used in messages and `accounts keys status`.
        var label: String {
            switch self {
            case .credential: return "credential"
            case .pendingAuthorization: return "pending authorization"
            case .draft: return "registration draft"
            }
        }
    }

    func requireKeyRing() throws(StoreError) -> KeyRing {
        guard let keyRing else { throw .noKeyRing }
        return keyRing
    }

    /// Seals `secret` for the row `rowKey` of `kind`; returns the blob and the id of the key that sealed it.
    static func seal(
        _ secret: String, kind: SealedKind, rowKey: String, keyRing: KeyRing
    ) throws(StoreError) -> (blob: Data, keyID: String) {
        do {
            let blob = try keyRing.seal(Array(secret.utf8), purpose: kind.purpose, rowKey: rowKey)
            // (the id in the blob's own header: a ring that follows its keys file may have changed its first key
            // since the seal)
            return (Data(blob), KeyRing.keyID(ofSealed: blob) ?? keyRing.sealingKeyID)
        } catch {
            throw .secret(kind: kind.label, reason: error.description)
        }
    }

    /// Seals `secret` inside the write transaction `db` that stores it, with the ring as it is at that moment. Every
    /// write that stores a new sealed value goes through here: a value sealed before the write lock was granted
    /// could land after a rewrap's last sweep, under a first key the keys file has replaced since. (The rewrap
    /// itself seals outside its transactions and stores only over blobs that have not changed meanwhile.)
    static func sealInWrite(
        _ db: Database, _ secret: String, kind: SealedKind, rowKey: String, keyRing: KeyRing
    ) throws(StoreError) -> (blob: Data, keyID: String) {
        precondition(db.isInsideTransaction, "a sealing write seals inside its transaction")
        return try seal(secret, kind: kind, rowKey: rowKey, keyRing: keyRing)
    }

    /// The sealed value in column `index` of `row`. `BLOB` is only an affinity in SQLite: a value of another type
    /// (written by another program or a repair by hand) reads as empty, which opening reports as malformed, naming
    /// the row, where decoding it as `Data` would stop the process.
    static func sealedBlob(_ row: Row, _ index: Int) -> Data {
        if case .blob(let data) = (row[index] as DatabaseValue).storage { return data }
        return Data()
    }

    /// Opens a blob sealed for the row `rowKey` of `kind`.
    static func open(_ blob: Data, kind: SealedKind, rowKey: String, keyRing: KeyRing) throws(StoreError) -> String {
        do {
            let bytes = try keyRing.open(Array(blob), purpose: kind.purpose, rowKey: rowKey)
            return String(decoding: bytes, as: UTF8.self)
        } catch {
            throw .secret(kind: kind.label, reason: error.description)
        }
    }
}
