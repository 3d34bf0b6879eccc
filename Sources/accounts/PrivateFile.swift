import AccountTransfer
import Foundation

/// Creates a new file readable by its owner alone (0600) holding `contents`, flushed to disk. Never overwrites: an
/// existing file is an error; a file it could not write whole is removed. Returns why it failed, or `nil`.
func createPrivateFile(atPath path: String, contents: String) -> String? {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else {
        return errno == EEXIST ? "it already exists (keys are never overwritten)" : String(cString: strerror(errno))
    }
    var failure: Int32?
    // Without the C string's closing NUL.
    if !contents.utf8CString.withUnsafeBytes({ writeFully(descriptor, UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
    ) {
        failure = errno
    }
    if failure == nil, fsync(descriptor) != 0 { failure = errno }
    close(descriptor)
    if let failure {
        // A file left empty or cut short would block the next attempt ("already exists") with nothing usable in it.
        unlink(path)
        return String(cString: strerror(failure))
    }
    return nil
}
