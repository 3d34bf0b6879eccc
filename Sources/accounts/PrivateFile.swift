import Foundation

/// Creates a new file readable by its owner alone (0600) holding `contents`, flushed to disk. Never overwrites: an
/// existing file is an error. Returns why it failed, or `nil`.
func createPrivateFile(atPath path: String, contents: String) -> String? {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else {
        return errno == EEXIST ? "it already exists (keys are never overwritten)" : String(cString: strerror(errno))
    }
    defer { close(descriptor) }
    let written = contents.utf8CString.withUnsafeBufferPointer { buffer in
        write(descriptor, buffer.baseAddress, buffer.count - 1)
    }
    guard written == contents.utf8.count, fsync(descriptor) == 0 else {
        return String(cString: strerror(errno))
    }
    return nil
}
