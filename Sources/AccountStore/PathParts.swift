/// A path's directory and last component, as `NSString`'s `deletingLastPathComponent` and `lastPathComponent` give
/// them, without Foundation (whose Linux build traps on a one-character path such as `d` or `-`).
package enum PathParts {
    /// The directory part of `path`: `""` for a bare name, `"/"` for a name in the root.
    package static func directory(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let head = withoutTrailingSlashes(String(trimmed[..<slash]))
        return head.isEmpty ? "/" : head
    }

    /// The last component of `path` (`"b"` for `a/b/`; `"/"` for `/`).
    package static func lastComponent(of path: String) -> String {
        let trimmed = withoutTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let name = String(trimmed[trimmed.index(after: slash)...])
        return name.isEmpty ? "/" : name
    }

    private static func withoutTrailingSlashes(_ path: String) -> String {
        var result = Substring(path)
        while result.count > 1, result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }
}
