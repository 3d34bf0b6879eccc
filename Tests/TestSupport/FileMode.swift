import Glibc

/// The mode of the file at `path` (`st_mode`: its type and permission bits), of a symbolic link itself when
/// `followingLinks` is false; `nil` when it cannot be read.
///
/// A helper rather than `stat()` in each test file: with MemberImportVisibility, a test file's `stat().st_mode` is
/// refused when the compiler met `struct stat` through another module first (CDispatch, in a clean build of a test
/// target where another file imports `accounts`), whatever the file imports itself.
public func fileMode(_ path: String, followingLinks: Bool = true) -> UInt32? {
    var info = stat()
    let found = followingLinks ? stat(path, &info) : lstat(path, &info)
    return found == 0 ? UInt32(info.st_mode) : nil
}
