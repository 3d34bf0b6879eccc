import AccountCrypto
import AccountModel
import AccountStore
import Foundation
public import HTTPTypes
public import Hummingbird
import Logging
import NIOCore

/// The origin the browser used: scheme and `host[:port]` as it sent them.
struct Origin: Sendable, Hashable {
    var scheme: String
    var authority: String

    var isHTTPS: Bool { scheme == "https" }
    /// The Twitter callback's URL on this origin, for routes under `mountPath`.
    func callbackURL(under mountPath: String) -> String {
        "\(scheme)://\(authority)\(mountPath)\(AccountRoutes.callbackPath)"
    }

    /// The host of a valid `authority`: without its port (an IPv6 address keeps its brackets).
    static func host(of authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") { return String(authority[...end]) }
        return String(authority.prefix { $0 != ":" })
    }

    /// Whether `authority` is a plain `host[:port]`: letters, digits, `.`, `-` (or a bracketed IPv6 address) and an
    /// optional decimal port. Anything else is refused before it reaches a URL.
    static func isValidAuthority(_ authority: String) -> Bool {
        var host = Substring(authority)
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber) else {
                return false
            }
            host = authority[..<colon]
        }
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        if host.hasPrefix("[") {
            // An IPv6 address as RFC 4291 writes it (`Character.isHexDigit` also takes fullwidth digits, `[１]`).
            return host.hasSuffix("]") && AccountRoutes.ipv6Bytes(host.dropFirst().dropLast()) != nil
        }
        return host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
    }
}

/// A response a handler gives up with (refused form, bad request); ``AccountRoutes/guarded(_:)`` returns it.
struct Refusal: Error {
    let response: Response
}

/// What a handler knows about the request it answers.
struct Visit: Sendable {
    var session: BrowserSessions.Current
    var account: Account?
    var origin: Origin
    /// The browser's `User-Agent`, read into a label (``device``) only by a sign-in.
    var userAgent: String?
    /// The audit trail's newest event before the visit loaded its session (read for a form that asks for a change:
    /// ``AccountRoutes/postedVisit(_:change:)``): an event of the account after it happened while the request was
    /// under way.
    var mark: AccountStore.EventMark? = nil
    /// The notice code the request's change answers with when made (`password_changed`, `account_deleted`, …), set by
    /// the route: a request refused because its session ended meanwhile answers with it when that session ended by the
    /// very same change, made first from this browser (a double click, another tab): ``AccountRoutes/sessionEndedResponse(_:)``.
    var change: String? = nil

    /// What the browser is ("Firefox on Linux"), for the session a sign-in makes; nil when its `User-Agent` says
    /// nothing this knows.
    var device: String? { DeviceLabel.from(userAgent: userAgent) }

    var csrf: String { session.record.csrfToken }
}

/// A posted `application/x-www-form-urlencoded` form (the first value of each name).
struct PostedForm: Sendable {
    var values: [String: String]

    subscript(_ name: String) -> String? { values[name] }

    /// Parses `bytes`; `nil` when an escape is malformed or the text is not UTF-8.
    static func parse(_ bytes: [UInt8]) -> PostedForm? {
        var values: [String: String] = [:]
        for piece in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let pair = piece.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(pair[0]), let value = decode(pair.count > 1 ? pair[1] : []) else { return nil }
            if values[name] == nil { values[name] = value }
        }
        return PostedForm(values: values)
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension AccountRoutes {
    // MARK: - Visits

    /// The origin the browser used; a Host header that is not a plain `host[:port]` is refused (400).
    func origin(of request: Request) throws -> Origin {
        guard let authority = request.head.authority, Origin.isValidAuthority(authority) else {
            throw Refusal(
                response: Self.plainResponse(
                    "Bad request: the Host header is missing or malformed.\n", status: .badRequest))
        }
        if let allowed = configuration.allowedHosts, !allowed.contains(Origin.host(of: authority.lowercased())) {
            // (once a minute: anyone can send any Host) An app behind a proxy that passes its own host name needs it
            // listed, or `allowedHosts` left nil.
            if let events = logLimiter.eventsToLog("misdirected", at: store.currentDate) {
                logger.warning(
                    "request refused: its Host is not among AccountRoutes.Configuration.allowedHosts",
                    metadata: ["web.host": "\(authority)", "web.events": "\(events)"])
            }
            throw Refusal(
                response: Self.plainResponse(
                    "Misdirected request: this site does not answer under that host name.\n",
                    status: .misdirectedRequest))
        }
        let https = Self.cameOverHTTPS(request, scheme: configuration.scheme)
        return Origin(scheme: https ? "https" : "http", authority: authority.lowercased())
    }

    /// The request's session (a new anonymous one when it has none) and signed-in account.
    func visit(_ request: Request) async throws -> Visit {
        let origin = try origin(of: request)
        let session = try await sessions.loadOrCreate(request, secure: origin.isHTTPS)
        var account: Account?
        if let user = session.record.user, let found = try await session.accountOrRead(store, user),
            found.status == .active
        {
            account = found
        }
        return Visit(
            session: session, account: account, origin: origin,
            userAgent: request.headers[.userAgent])
    }

    /// The visit of a POST, after its form passed the CSRF check: the session's token in `csrf_token` (compared in
    /// constant time) and, when the browser sent an `Origin`, the same scheme, host and port as the request. Anything
    /// else is refused with 403 and nothing changes.
    func postedVisit(_ request: Request) async throws -> (Visit, PostedForm) {
        try await postedVisit(request, change: nil)
    }

    /// ``postedVisit(_:)`` for a form that asks for `change` (``Visit/change``: the notice code its answer carries when
    /// it is made), its ``Visit/mark`` read before its session is loaded (only these forms read one: the others' posts,
    /// refused log-ins among them, make no extra read).
    func postedVisit(_ request: Request, change: String?) async throws -> (Visit, PostedForm) {
        var visit = try await postVisit(request, marked: change != nil)
        visit.change = change
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maximumFormBytes)
        } catch {
            throw Refusal(
                response: page(
                    visit, title: "Form too large", status: .contentTooLarge,
                    body: """
                        <h1>That form was too large</h1><p><a href="/">Start again</a>.</p>
                        """))
        }
        guard let form = PostedForm.parse(Array(buffer: body)) else {
            throw Refusal(
                response: page(
                    visit, title: "Bad form", status: .badRequest,
                    body: """
                        <h1>That form could not be read</h1><p>Its text was not valid. <a href="/">Start again</a>.</p>
                        """))
        }
        guard ConstantTime.equals(form["csrf_token"] ?? "", visit.csrf), originMatches(request, visit.origin) else {
            throw Refusal(response: csrfRefusal(request, visit: visit))
        }
        return (visit, form)
    }

    /// The 403 page of a form that failed the CSRF check (logged by its path).
    func csrfRefusal(_ request: Request, visit: Visit) -> Response {
        logger.info("form refused: CSRF check failed", metadata: ["web.path": "\(request.uri.path)"])
        return page(
            visit, title: "Form expired", status: .forbidden,
            body: """
                <h1>This form has expired</h1>
                <p>It was sent from another page, or your session ended. Go back, reload the page and try again, or \
                <a href="/">start again</a>.</p>
                """)
    }

    /// ``csrfRefusal(_:visit:)`` for a request whose visit is not made yet.
    func csrfRefusal(_ request: Request) async throws -> Response {
        csrfRefusal(request, visit: try await postVisit(request))
    }

    /// The visit of a form posted (a `POST`), whose answers never hand out a new session id: a form that came without
    /// the session cookie (another site's, which the browser sends without the `SameSite=Lax` cookie) can only be
    /// refused, and a cookie set by that refusal would replace the browser's own, signing it out or dropping the
    /// Twitter sign-up its visitor id holds. A sign-in's new session (``signIn(_:as:checkedAfter:sessionsEnded:)``) is set all the
    /// same: it is not the visit's.
    /// With `marked`, the visit carries the ``Visit/mark`` read before its session was loaded.
    func postVisit(_ request: Request, marked: Bool = false) async throws -> Visit {
        let mark = marked ? try await store.eventMark() : nil
        var visit = try await visit(request)
        visit.session.isNew = false
        visit.mark = mark
        return visit
    }

    /// True when the request has no `Origin` (older browsers) or one naming the request's own scheme, host and port.
    ///
    /// The scheme counts: a page served over plain HTTP (which anyone on the network can rewrite) must not post to the
    /// HTTPS site. An HTTPS page posting to a request that arrived as plain HTTP is refused too, and logged as the
    /// set-up mistake it usually is: a TLS-terminating proxy whose `X-Forwarded-Proto` is not believed.
    func originMatches(_ request: Request, _ origin: Origin) -> Bool {
        guard let given = request.headers[.origin] else { return true }
        guard let components = URLComponents(string: given), let host = components.host,
            let scheme = components.scheme?.lowercased()
        else { return false }
        var authority = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port = components.port { authority += ":\(port)" }
        guard authority.lowercased() == origin.authority else {
            // Through a proxy, another host is most often the proxy's set-up (nginx's `proxy_pass` alone sends the
            // upstream's address as Host): say so, once a minute, as for the scheme below.
            let proxied = ["X-Forwarded-For", "X-Forwarded-Proto", "Forwarded"].contains {
                HTTPField.Name($0).map { request.headers[$0] != nil } ?? false
            }
            if proxied, let events = logLimiter.eventsToLog("origin-host", at: store.currentDate) {
                logger.warning(
                    """
                    form refused: the page's Origin names another host than the request's Host header; if every \
                    form is refused, the proxy in front does not pass the browser's Host (nginx: proxy_set_header \
                    Host $host)
                    """,
                    metadata: ["web.path": "\(request.uri.path)", "web.events": "\(events)"])
            }
            return false
        }
        if scheme == origin.scheme { return true }
        if scheme == "https" && !origin.isHTTPS,
            let events = logLimiter.eventsToLog("origin-scheme", at: store.currentDate)
        {
            logger.warning(
                """
                form refused: the page was served over HTTPS but the form arrived over plain HTTP; behind a \
                TLS-terminating proxy, list it in trustedProxies (its X-Forwarded-Proto is then believed) or set \
                scheme to .https
                """,
                metadata: ["web.path": "\(request.uri.path)", "web.events": "\(events)"])
        }
        return false
    }

    /// The signed-in visit, or a redirect to the log-in page.
    func signedInVisit(_ visit: Visit) throws -> (Visit, Account) {
        guard let account = visit.account else {
            throw Refusal(response: redirect(visit, to: "/login?notice=sign_in_first"))
        }
        return (visit, account)
    }

    // MARK: - Responses

    /// An HTML page in the common layout (the username and "Sign out" when signed in), setting the session cookie
    /// when the browser does not have it yet.
    func page(
        _ visit: Visit, title: String, status: HTTPResponse.Status = .ok, notice: String? = nil, body: String
    ) -> Response {
        var response = htmlResponse(
            Pages.layout(
                site: configuration.siteName, mountPath: configuration.mountPath, title: title, account: visit.account,
                csrf: visit.csrf, notice: notice,
                body: body),
            status: status)
        if visit.session.isNew { response.setCookie(sessions.cookie(for: visit.session, secure: visit.origin.isHTTPS)) }
        return response
    }

    /// A 303 to `location` (a path of these routes, put under ``Configuration/mountPath``, or Twitter's authorize
    /// URL), setting the session cookie when new.
    func redirect(_ visit: Visit?, to location: String, session: BrowserSessions.Current? = nil) -> Response {
        var headers = HTTPFields()
        headers[.location] = location.hasPrefix("/") ? configuration.mountPath + location : location
        headers[.cacheControl] = "no-store"
        var response = Response(status: .seeOther, headers: headers)
        if let visit {
            let current = session ?? visit.session
            if current.isNew { response.setCookie(sessions.cookie(for: current, secure: visit.origin.isHTTPS)) }
        }
        return response
    }

    /// `/` with a message code (see ``Pages/notice(_:)``).
    func home(_ visit: Visit?, notice: String, session: BrowserSessions.Current? = nil) -> Response {
        redirect(visit, to: "/?notice=\(notice)", session: session)
    }

    /// A page of the app's own, sent as the routes send theirs: `text/html; charset=utf-8`, `Cache-Control: no-store`,
    /// the routes' `Content-Security-Policy` (whose `form-action` lets a form posting to the routes, such as "Log in
    /// with Twitter", go on to Twitter), `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and
    /// `Referrer-Policy: same-origin`. `html` is sent as it is: escape whatever in it came from a person.
    public func htmlResponse(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func plainResponse(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        // (as on the pages: never read as anything else, never kept)
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
