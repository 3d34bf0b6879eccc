#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Reads a keys file with the checks `KeyRing.load` promises, through the C library (no Foundation, so that every
/// buffer holding key text is one this module zeroes).
enum KeysFile {
    /// Largest keys file read: far beyond any real one.
    static let maximumSize = 1 << 20

    /// The bytes of the keys file at `path`, checked to be a regular file of mode 0600 or 0400 (on the open file
    /// descriptor, so the file checked is the file read).
    static func contents(ofFileAt path: String) throws(KeyRingError) -> [UInt8] {
        // Without blocking: a FIFO (or a device) opened for reading waits for a writer, forever, before the check
        // below can refuse it. (Reads of a regular file ignore the flag.)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { throw .unreadableKeysFile(path: path, reason: systemError()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadableKeysFile(path: path, reason: systemError()) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .unreadableKeysFile(path: path, reason: "it is not a regular file")
        }
        // The owner could rewrite it between runs (chmod is theirs to do): a file of another user's would let them
        // pick the key everything is sealed with from then on, as OpenSSH refuses another user's private key.
        guard status.st_uid == geteuid() || status.st_uid == 0 else {
            throw .keysFileOwnedByAnotherUser(path: path, owner: UInt32(status.st_uid))
        }
        let permissions = UInt32(status.st_mode) & 0o7777
        guard permissions == 0o600 || permissions == 0o400 else {
            throw .insecureKeysFileMode(path: path, mode: permissions)
        }
        guard Int(status.st_size) <= maximumSize else {
            throw .unreadableKeysFile(path: path, reason: "it is larger than 1 MiB")
        }
        // One allocation of the final size, so no partial copies are left behind in freed memory.
        var contents = [UInt8](repeating: 0, count: maximumSize + 1)
        var length = 0
        while length < contents.count {
            let count = contents.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + length, buffer.count - length)
            }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = systemError()
                LibCrypto.cleanse(&contents)
                throw .unreadableKeysFile(path: path, reason: reason)
            }
            length += count
        }
        guard length <= maximumSize else {
            LibCrypto.cleanse(&contents)
            throw .unreadableKeysFile(path: path, reason: "it is larger than 1 MiB")
        }
        contents.removeLast(contents.count - length)  // shrinks in place; the storage is zeroed by the caller
        return contents
    }

    /// The current `errno` as text.
    private static func systemError() -> String {
        String(cString: strerror(errno))
    }
}
