import AccountTransfer
import Foundation

/// Creates a new file readable by its owner alone (0600) holding `contents`, flushed to disk. Never overwrites: an
/// existing file is an error; a file it could not write whole is removed. Returns why it failed, or `nil`.
func createPrivateFile(atPath path: String, contents: String) -> String? {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else {
        guard errno == EEXIST else { return String(cString: strerror(errno)) }
        // `O_EXCL` refuses a symbolic link whatever it points to: one to nothing is not "a file that exists".
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK, stat(path, &info) != 0 {
            return "it is a symbolic link to nothing (it is not followed: remove it, or give the path it points to)"
        }
        return "it already exists (keys are never overwritten)"
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
