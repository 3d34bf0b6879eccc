public import Foundation

/// Everything that can go wrong talking to Twitter, each case with a sentence an operator can act on.
///
/// No case carries a consumer secret, token secret, verifier or response body: the description is safe to log.
public enum TwitterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Twitter answered with a 4xx status and its `{"errors": [{"code", "message"}]}` list.
    case rejected(status: Int, errors: [TwitterAPIError])
    /// Twitter answered 429 Too Many Requests; the `x-rate-limit-*` headers say when to try again.
    case rateLimited(RateLimit)
    /// Twitter answered with a 5xx status: a problem on its side, worth retrying later.
    case serverError(status: Int)
    /// Twitter answered with a status this client does not expect and no error list (a redirect, which is not
    /// followed, or a 404 from a ``TwitterClient/baseURL`` that is no Twitter API).
    case unexpectedStatus(Int)
    /// No complete answer arrived within the configured timeout (``TwitterClient/timeout``, or the `timeout:` given to
    /// ``TwitterClient/invalidateToken(_:secret:timeout:)``), or no connection within the transport's connect timeout.
    case timedOut
    /// The request could not be sent or the connection broke (`reason` names the failure, never a credential).
    case connectionFailed(host: String, reason: String)
    /// The connection to `host` closed or was reset before any byte of the answer came, twice (``TwitterClient`` signs
    /// the request anew and sends it once more after the first). A transport of your own throws it for such a
    /// failure, whatever it sent, so that the client may resend; the request may or may not have been read.
    case closedBeforeAnswer(host: String)
    /// The response body does not parse (`reason` names what is wrong, never the body's content).
    case malformedResponse(String)
    /// The response body is larger than the configured cap (``TwitterClient/maximumResponseBodySize``), so it was not
    /// read.
    case responseTooLarge(limit: Int)
    /// `/oauth/request_token` did not answer `oauth_callback_confirmed=true`.
    case callbackNotConfirmed
    /// `/oauth/request_token` refused `callback` (Twitter's error 415): it is not one of the callback URLs registered
    /// for the app in the developer portal.
    case callbackNotApproved(callback: String)
    /// The callback URL lacks a parameter that Twitter always sends (`oauth_token`, `oauth_verifier`).
    case missingCallbackParameter(String)
    /// The task was cancelled before Twitter answered.
    case cancelled

    /// The first Twitter error code of a ``rejected(status:errors:)`` answer (32, 89, 135, 215, …), if any.
    public var apiErrorCode: Int? {
        if case .rejected(_, let errors) = self { return errors.first?.code }
        return nil
    }

    /// Whether the error comes from how this app is set up (its consumer key and secret, its registered callback URLs,
    /// the machine's clock) rather than from Twitter's health or the person: retrying will not help, the operator
    /// must act. An app shows the person that signing in with Twitter is unavailable, and logs the description.
    public var isSetupProblem: Bool {
        switch self {
        case .callbackNotApproved, .callbackNotConfirmed:
            return true
        case .rejected:
            switch apiErrorCode {
            case TwitterAPIError.couldNotAuthenticate, TwitterAPIError.timestampOutOfBounds,
                TwitterAPIError.badAuthenticationData, TwitterAPIError.callbackNotApproved,
                TwitterAPIError.invalidOrSuspendedApplication, TwitterAPIError.desktopApplicationsOnlyOOB,
                TwitterAPIError.clientNotPermitted, TwitterAPIError.insufficientAccessLevel:
                return true
            default:
                return false
            }
        default:
            return false
        }
    }

    /// A plain sentence saying what happened and what to do.
    public var description: String {
        switch self {
        case .rejected(let status, let errors):
            let details = errors.isEmpty ? "no error details" : errors.map(\.description).joined(separator: "; ")
            return "Twitter refused the request (HTTP \(status)): \(details)"
        case .rateLimited(let limit):
            return "Twitter rate limit reached (HTTP 429): \(limit); wait for the reset before retrying"
        case .serverError(let status):
            return "Twitter had a server error (HTTP \(status)); retry later"
        case .unexpectedStatus(let status):
            return "Twitter answered with unexpected HTTP status \(status) and no error list; check that "
                + "TwitterClient's `baseURL:` is a Twitter API origin (redirects are not followed), else retry later"
        case .timedOut:
            return "Twitter did not answer within the time allowed; check the network, or allow longer with "
                + "TwitterClient's `timeout:` (or the `timeout:` of invalidateToken(_:secret:timeout:)), and for "
                + "making the connection with the transport's connect timeout (10 s for "
                + "AsyncHTTPClientTransport.shared; AsyncHTTPClientTransport.withTransport(connectTimeout:) sets "
                + "another)"
        case .connectionFailed(let host, let reason):
            return "could not reach Twitter at \(host): \(reason); check the network, and that TwitterClient's "
                + "`baseURL:` names a Twitter API origin, then retry"
        case .closedBeforeAnswer(let host):
            return "the connection to Twitter at \(host) closed before any answer came, on a second try too; check the "
                + "network and any proxy between this app and Twitter, and that TwitterClient's `baseURL:` names a "
                + "Twitter API origin, then retry"
        case .malformedResponse(let reason):
            return "Twitter's response could not be read: \(reason); if it recurs, check that the client's API base "
                + "URL is Twitter's"
        case .responseTooLarge(let limit):
            return "Twitter's response is larger than the \(limit)-byte limit and was not read; Twitter's answers "
                + "take a few kilobytes, so check that TwitterClient's `baseURL:` is a Twitter API origin, or raise "
                + "its `maximumResponseBodySize:`"
        case .callbackNotConfirmed:
            return "Twitter did not confirm the callback URL (oauth_callback_confirmed is not true); "
                + "check the callback URL registered for the app"
        case .callbackNotApproved(let callback):
            return "Twitter refused the callback URL \(callback) (error 415, callback URL not approved): add it, "
                + "without any query string, to the app's callback URLs in the developer portal "
                + "(developer.x.com → the app → User authentication settings), or make the app use a registered one"
        case .missingCallbackParameter(let name):
            return "the Twitter callback is missing \(name); start the sign-in again"
        case .cancelled:
            return "the request to Twitter was cancelled"
        }
    }
}

/// One entry of Twitter's `{"errors": [{"code": 32, "message": "Could not authenticate you."}]}` list.
public struct TwitterAPIError: Sendable, Hashable, CustomStringConvertible {
    /// Could not authenticate you: wrong consumer key or secret, a bad signature, or a replayed nonce.
    public static let couldNotAuthenticate = 32
    /// Invalid or expired token: the request or access token is unknown, used or revoked.
    public static let invalidOrExpiredToken = 89
    /// Timestamp out of bounds: the clock is more than five minutes off.
    public static let timestampOutOfBounds = 135
    /// Bad authentication data: OAuth parameters are missing.
    public static let badAuthenticationData = 215
    /// Callback URL not approved for this client application: the callback is not registered for the app.
    public static let callbackNotApproved = 415
    /// Invalid or suspended application: the consumer key belongs to no active app.
    public static let invalidOrSuspendedApplication = 416
    /// Desktop applications only support the `oauth_callback` value `oob`: the app has no callback URLs at all.
    public static let desktopApplicationsOnlyOOB = 417
    /// Client is not permitted to perform this action: the app's permissions (read, write) do not allow the call.
    public static let clientNotPermitted = 87
    /// The app's access level allows only a subset of the API, without this endpoint (X's answer for a v1.1 call
    /// outside the app's plan).
    public static let insufficientAccessLevel = 453

    /// Twitter's numeric error code.
    public let code: Int
    /// Twitter's message, as sent without control or format characters (cut to 200 characters).
    public let message: String

    /// Makes an error entry from a code and message; the message loses its control and format characters (an escape
    /// sequence from a hostile server must not reach a terminal through a log line) and is cut to 200 characters.
    public init(code: Int, message: String) {
        self.code = code
        let shown = message.unicodeScalars.filter {
            $0.properties.generalCategory != .control && $0.properties.generalCategory != .format
        }
        self.message = String(String.UnicodeScalarView(shown).prefix(200))
    }

    /// `error 32 (Could not authenticate you.): check the consumer key and secret …`.
    public var description: String {
        let hint: String
        switch code {
        case Self.couldNotAuthenticate:
            hint = ": check the consumer key and secret, and that each request is signed once with a fresh nonce"
        case Self.invalidOrExpiredToken:
            hint = ": the token is unknown, already used or revoked; start the sign-in again"
        case Self.timestampOutOfBounds:
            hint = ": this machine's clock is more than 5 minutes off; synchronise it (NTP)"
        case Self.badAuthenticationData:
            hint = ": the request lacked OAuth parameters; check that it is signed"
        case Self.callbackNotApproved:
            hint = ": add the callback URL to the app's callback URLs in the developer portal"
        case Self.invalidOrSuspendedApplication:
            hint = ": the consumer key belongs to no active app; check it, and the app's status in the developer portal"
        case Self.desktopApplicationsOnlyOOB:
            hint = ": the app has no callback URLs; register this site's callback URL in the developer portal"
        case Self.clientNotPermitted:
            hint = ": the app's permissions do not allow this call; check them in the developer portal"
        case Self.insufficientAccessLevel:
            hint =
                ": the app's access level does not include this endpoint; change the app's plan or access level "
                + "in the developer portal"
        default:
            hint = ""
        }
        return "error \(code) (\(message))\(hint)"
    }
}

/// The `x-rate-limit-limit`, `x-rate-limit-remaining` and `x-rate-limit-reset` headers of a 429 answer.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// Requests allowed per window, if sent.
    public let limit: Int?
    /// Requests left in this window, if sent.
    public let remaining: Int?
    /// When the window resets (from the Unix-seconds header), if sent.
    public let reset: Date?

    /// Makes a rate-limit value from its parts.
    public init(limit: Int?, remaining: Int?, reset: Date?) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    /// `0 of 15 requests left, resets at 2018-10-10T20:19:24Z`.
    public var description: String {
        let left =
            switch (remaining, limit) {
            case (let remaining?, let limit?): "\(remaining) of \(limit) requests left"
            case (let remaining?, nil): "\(remaining) requests left"
            case (nil, let limit?): "limit \(limit) requests"
            case (nil, nil): "no rate-limit headers"
            }
        guard let reset else { return left }
        return left + ", resets at " + reset.formatted(.iso8601)
    }
}
