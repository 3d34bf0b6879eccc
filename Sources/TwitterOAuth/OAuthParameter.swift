/// One name/value pair of an OAuth 1.0a request: a query, form-body or `oauth_*` protocol parameter, not yet encoded.
public struct OAuthParameter: Sendable, Hashable {
    /// The parameter name, as plain text (not percent-encoded).
    public var name: String
    /// The parameter value, as plain text (not percent-encoded); may be empty.
    public var value: String

    /// Makes a parameter from its plain (decoded) name and value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension OAuthParameter: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The name only: values can be tokens, verifiers or signatures.
    public var description: String { "OAuthParameter(\(name))" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The name; the value as `<redacted>` (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "value": redacted], displayStyle: .struct)
    }
}
