internal import Foundation
internal import TwitterOAuth

/// The endpoints a `/_sandbox/fail-next` failure can target.
enum SandboxEndpoint: String, Sendable, CaseIterable {
    case requestToken = "request_token"
    case authorize
    case authenticate
    case accessToken = "access_token"
    case verifyCredentials = "verify_credentials"
    case invalidateToken = "invalidate_token"

    /// Accepts the short name (`request_token`) or the path (`/oauth/request_token`, `/1.1/account/…`).
    init?(name: String) {
        let short =
            name.split(separator: "/").last.map(String.init)?
            .replacingOccurrences(of: ".json", with: "") ?? name
        self.init(rawValue: short)
    }
}

/// One injected failure, applied to the next call of its endpoint.
enum SandboxFailure: Sendable, Equatable {
    /// 429 with `x-rate-limit-limit`, `-remaining` and `-reset` (Unix seconds).
    case rateLimit(limit: Int, remaining: Int, reset: Int64)
    /// A 5xx answer.
    case serverError(status: Int)
    /// Wait this long, then answer normally.
    case slow(Duration)
    /// 200 with a truncated body (JSON for verify_credentials, form for the OAuth endpoints).
    case malformed
    /// 200 with `size` bytes of body, with a `content-length` or, when `chunked`, streamed without one.
    case oversized(size: Int, chunked: Bool)

    /// Reads `{endpoint, mode, …}` (JSON object or form fields) into an endpoint and a failure.
    static func parse(
        _ fields: [String: String],
        now: Date
    ) -> Result<(SandboxEndpoint, SandboxFailure), ControlRequestError> {
        guard let endpointName = fields["endpoint"] else { return .failure(.init("endpoint is missing")) }
        guard let endpoint = SandboxEndpoint(name: endpointName) else {
            let names = SandboxEndpoint.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(.init("unknown endpoint \(endpointName); use one of \(names)"))
        }
        func integer(_ name: String, default value: Int64) -> Int64? {
            guard let text = fields[name] else { return value }
            return Int64(text)
        }
        switch fields["mode"] {
        case "rate_limit":
            guard let limit = integer("limit", default: 15), let remaining = integer("remaining", default: 0),
                let reset = integer("reset", default: Int64(now.timeIntervalSince1970) + 900)
            else { return .failure(.init("limit, remaining and reset must be integers")) }
            return .success((endpoint, .rateLimit(limit: Int(limit), remaining: Int(remaining), reset: reset)))
        case "server_error":
            guard let status = integer("status", default: 500), (500...599).contains(status) else {
                return .failure(.init("status must be an integer from 500 to 599"))
            }
            return .success((endpoint, .serverError(status: Int(status))))
        case "slow":
            guard let delay = integer("delay_ms", default: 5000), (0...600_000).contains(delay) else {
                return .failure(.init("delay_ms must be an integer from 0 to 600000"))
            }
            return .success((endpoint, .slow(.milliseconds(delay))))
        case "malformed_json", "malformed":
            return .success((endpoint, .malformed))
        case "oversized":
            guard let size = integer("size", default: 2 << 20), (1...(64 << 20)).contains(size) else {
                return .failure(.init("size must be an integer from 1 to 67108864"))
            }
            let chunked = fields["chunked"] == "true" || fields["chunked"] == "1"
            return .success((endpoint, .oversized(size: Int(size), chunked: chunked)))
        case let mode?:
            return .failure(
                .init("unknown mode \(mode); use rate_limit, server_error, slow, malformed_json or oversized")
            )
        case nil:
            return .failure(.init("mode is missing"))
        }
    }
}

/// A refused control request, answered 400 with `{"error": reason}`.
struct ControlRequestError: Error, Sendable, Equatable {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
