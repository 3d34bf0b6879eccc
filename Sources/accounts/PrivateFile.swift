import AccountCrypto
import AccountTransfer
import Foundation

/// Creates a new file readable by its owner alone (0600) holding `contents`, flushed to disk. Never overwrites: an
/// existing file is an error. The file appears whole or not at all: it is written as a file with no name in its
/// directory (`O_TMPFILE`) and linked to its name once flushed (`linkat` refuses a name that exists, as `O_EXCL`
/// does), so a process killed while writing leaves no empty or cut-short file that the next run would refuse
/// ("already exists", "holds no keys"), and no stray copy of the key under another name: the kernel frees a file
/// nobody named. Where the file system has no `O_TMPFILE` (or `/proc` is not mounted), the file is written under a
/// hidden temporary name beside it and removed if the link fails. Returns why it failed, or `nil`.
func createPrivateFile(atPath path: String, contents: String) -> String? {
    if let problem = existingPathProblem(path) { return problem }
    let directory = (path as NSString).deletingLastPathComponent
    let folderPath = directory.isEmpty ? "." : directory
    // An unnamed file first (`OutputFile`'s), linked to its name once whole.
    if let unnamed = OutputFile.unnamedFile(beside: path) {
        var failure: Int32?
        if !writeWhole(unnamed, contents) { failure = errno }
        if failure == nil, fsync(unnamed) != 0 { failure = errno }
        if failure == nil { failure = OutputFile.link(unnamed: unnamed, to: path) }
        close(unnamed)
        return finish(path: path, folderPath: folderPath, failure: failure)
    }
    // (a short name of its own: the file's name may be as long as a name can be)
    let temporary = (directory.isEmpty ? "" : directory + "/") + ".accounts-\(SecureRandom.hexString(count: 8)).tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return String(cString: strerror(errno)) }
    var failure: Int32?
    if !writeWhole(descriptor, contents) { failure = errno }
    if failure == nil, fsync(descriptor) != 0 { failure = errno }
    close(descriptor)
    if failure == nil, link(temporary, path) != 0 { failure = errno }
    unlink(temporary)
    return finish(path: path, folderPath: folderPath, failure: failure)
}

/// Writes `contents` without the C string's closing NUL; `false` with `errno` set when it could not.
private func writeWhole(_ descriptor: Int32, _ contents: String) -> Bool {
    contents.utf8CString.withUnsafeBytes { writeFully(descriptor, UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
}

/// The outcome of a creation whose link ended with `failure` (an `errno`, or `nil`): on success the new name is
/// flushed with its directory.
private func finish(path: String, folderPath: String, failure: Int32?) -> String? {
    if let failure {
        if failure == EEXIST, let problem = existingPathProblem(path) { return problem }
        return String(cString: strerror(failure))
    }
    // (the new name itself reaches the disk with its directory)
    let folder = open(folderPath, O_RDONLY | O_DIRECTORY)
    if folder >= 0 {
        fsync(folder)
        close(folder)
    }
    return nil
}

/// Why `path` cannot be created, when something is there already: `nil` when nothing is.
private func existingPathProblem(_ path: String) -> String? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    // A symbolic link is refused whatever it points to: one to nothing is not "a file that exists".
    if info.st_mode & S_IFMT == S_IFLNK, stat(path, &info) != 0 {
        return "it is a symbolic link to nothing (it is not followed: remove it, or give the path it points to)"
    }
    if info.st_mode & S_IFMT == S_IFDIR { return "it is a directory; name a file" }
    return "it already exists (keys are never overwritten)"
}
