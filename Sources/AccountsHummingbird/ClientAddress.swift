import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore

/// A request context that knows the address the request came from, which ``AccountRoutes`` counts Twitter sign-ins
/// by (``RegistrationService/Configuration/beginsPerClient``). Use it for the router the routes go on:
///
/// ```swift
/// let router = Router(context: AccountsRequestContext.self)
/// routes.addRoutes(to: router)
/// ```
///
/// With another context that does not conform to `RemoteAddressRequestContext`, and no
/// ``AccountRoutes/Configuration/clientAddressHeader``, each browser session counts as a client.
public struct AccountsRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's own part of the context.
    public var coreContext: CoreRequestContextStorage
    /// The peer: the browser, or the proxy in front of the app.
    public let remoteAddress: SocketAddress?

    /// A context for a request on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

extension AccountRoutes {
    /// Who a request counts as for the limit on Twitter sign-ins begun (README, "Mounting the routes"): the peer's
    /// address, or with ``Configuration/clientAddressHeader`` set, an address from that header:
    ///
    /// - With no ``Configuration/trustedProxies``, its last address, from whatever peer.
    /// - With them, the header is read only when the peer is one of them, from the last address back, past the
    ///   addresses of trusted proxies: the first other one is the client (every address trusted: the first).
    ///
    /// A port after an address (`198.51.100.7:4711`, `[2001:db8::1]:4711`) is dropped; `Forwarded` (RFC 7239) is read
    /// by its `for=` parameters. An address that cannot be read where one is needed counts the hop that wrote it (the
    /// peer, or the trusted proxy after it), never the browser session, which a script would renew with every request.
    /// `nil` when no address is known at all.
    ///
    /// An IPv6 address counts by its /64, which one host commonly holds whole; one that carries an IPv4 address
    /// (IPv4-mapped `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo `2001::/32`) as that IPv4 address.
    /// The network is an IPv6 client's /48 (``RegistrationService/Configuration/beginsPerNetwork``); an IPv4 client has
    /// none.
    func clientKey(_ request: Request, context: some RequestContext) -> (key: String, network: String?)? {
        let peer = Self.peerAddress(context)
        guard let header = configuration.clientAddressHeader, let name = HTTPField.Name(header) else {
            return peer.map(Self.clientKey(bytes:))
        }
        let trusted = configuration.trustedProxies
        let entries = Self.forwardedAddresses(
            request.headers[values: name], isForwarded: name.canonicalName == "forwarded")
        if trusted.isEmpty {
            return (entries.last.flatMap { $0 } ?? peer).map(Self.clientKey(bytes:))
        }
        guard var hop = peer else { return nil }
        // From the peer back: each trusted hop vouches for the address before it.
        for entry in entries.reversed() {
            guard trusted.contains(where: { $0.contains(hop) }), let entry else { break }
            hop = entry
        }
        return Self.clientKey(bytes: hop)
    }

    /// Whether `header` can be ``Configuration/clientAddressHeader``: `nil`, or a header name (an RFC 9110 token, as
    /// `HTTPField.Name` takes it). A name with a space, a colon or nothing in it is in no request.
    static func isValidClientAddressHeader(_ header: String?) -> Bool {
        header.map { HTTPField.Name($0) != nil } ?? true
    }

    /// The bytes (4 or 16) of the peer's IP address, when the context knows one (``AccountsRequestContext``, or any
    /// `RemoteAddressRequestContext` on an IP socket).
    static func peerAddress(_ context: some RequestContext) -> [UInt8]? {
        ((context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress).flatMap {
            addressBytes(Substring($0))
        }
    }

    /// The addresses in the values of a forwarding header, first to last (`nil` for one that is no IP address):
    /// `X-Forwarded-For`'s comma-separated entries, or the `for=` parameter of each element of `Forwarded`.
    ///
    /// Commas and semicolons are found byte by byte, not as `Character`s: a browser that ends its own header with a
    /// prepend character (U+0600) would otherwise join it to the comma its proxy adds after it, and its address to
    /// that text. A `Forwarded` line is cut into elements from its end, minding quoted strings, so that a comma quoted
    /// in a proxy's element (`host="a,for=192.0.2.9;x="`) cuts nothing, and a quoted string a browser leaves open
    /// (`for="`) cannot swallow the elements its proxies append.
    static func forwardedAddresses(_ values: [String], isForwarded: Bool) -> [[UInt8]?] {
        values.flatMap { cutFromTheEnd($0[...], at: ",", quoted: isForwarded) }.map { element in
            guard var text = element?.trimmingCharacters(in: .whitespaces)[...] else { return nil }
            if isForwarded {
                // `for=192.0.2.60;proto=http`, `For="[2001:db8:cafe::17]:4711"`; `for=unknown` and `for=_hidden` are
                // no address.
                guard
                    let pair = cutFromTheEnd(text, at: ";", quoted: true).lazy
                        .compactMap({ $0?.trimmingCharacters(in: .whitespaces) })
                        .first(where: { $0.lowercased().hasPrefix("for=") })
                else { return nil }
                text = pair.dropFirst(4)
                if text.utf8.count >= 2 && text.utf8.first == UInt8(ascii: "\"") && text.utf8.last == UInt8(ascii: "\"")
                {
                    text = unquoted(text)
                }
            }
            return addressBytes(withoutPort(text))
        }
    }

    /// `text` cut at each `separator` (ASCII), found byte by byte and from the end; with `quoted`, a separator in a
    /// quoted string (`"…"`, `\` escaping the byte after it) cuts nothing, and the piece in which one is left open is
    /// `nil`.
    static func cutFromTheEnd(_ text: Substring, at separator: Unicode.Scalar, quoted: Bool) -> [Substring?] {
        let utf8 = text.utf8
        let separator = UInt8(ascii: separator)
        var pieces: [Substring?] = []
        var end = utf8.endIndex
        var inQuotes = false
        var index = utf8.endIndex
        while index > utf8.startIndex {
            index = utf8.index(before: index)
            if quoted && utf8[index] == UInt8(ascii: "\"") {
                // Escaped when an odd number of backslashes comes before it.
                var before = index
                var backslashes = 0
                while before > utf8.startIndex, utf8[utf8.index(before: before)] == UInt8(ascii: "\\") {
                    before = utf8.index(before: before)
                    backslashes += 1
                }
                if backslashes % 2 == 0 { inQuotes.toggle() }
            } else if utf8[index] == separator && !inQuotes {
                pieces.append(text[utf8.index(after: index)..<end])
                end = index
            }
        }
        pieces.append(inQuotes ? nil : text[utf8.startIndex..<end])
        return pieces.reversed()
    }

    /// The content of a quoted string (`"[2001:db8::1]:4711"`), each `\` dropped and the byte after it kept.
    static func unquoted(_ text: Substring) -> Substring {
        var content = ""
        var escaped = false
        for scalar in text.unicodeScalars.dropFirst().dropLast() {
            if !escaped && scalar == "\\" {
                escaped = true
                continue
            }
            escaped = false
            content.unicodeScalars.append(scalar)
        }
        return content[...]
    }

    /// `198.51.100.7` for `198.51.100.7:4711`, `2001:db8::1` for `[2001:db8::1]`, `[2001:db8::1]:4711` or
    /// `[2001:db8::1]:_p1` (RFC 7239's obfuscated port).
    static func withoutPort(_ text: Substring) -> Substring {
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") {
            let rest = text[text.index(after: end)...]
            let port = rest.dropFirst()
            let isPort =
                port.allSatisfy { $0.isASCII && $0.isNumber }
                || port.first == "_"
                    && port.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
            guard rest.isEmpty || (rest.hasPrefix(":") && isPort) else { return text }
            return text[text.index(after: text.startIndex)..<end]
        }
        if text.contains("."), text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            return text[..<colon]
        }
        return text
    }

    /// The 4 bytes of an IPv4 address or the 16 of an IPv6 one (a zone, `fe80::1%eth0`, dropped); `nil` for text
    /// that is no IP address.
    static func addressBytes(_ text: Substring) -> [UInt8]? {
        if let v4 = ipv4Bytes(text) { return v4 }
        return ipv6Bytes(text.prefix { $0 != "%" })
    }

    /// The client key and network of an address's bytes (4 or 16): `198.51.100.7` (no network); `2001:db8:1:2::/64`
    /// for any address in that /64, of the network `2001:db8:1::/48`.
    static func clientKey(bytes: [UInt8]) -> (key: String, network: String?) {
        func dotted(_ bytes: ArraySlice<UInt8>) -> (key: String, network: String?) {
            (bytes.map { String($0) }.joined(separator: "."), nil)
        }
        if bytes.count == 4 { return dotted(bytes[...]) }
        let v6 = bytes
        // IPv4-mapped (::ffff:0:0/96) and NAT64's well-known prefix (64:ff9b::/96): the IPv4 address is the last 32
        // bits, so every IPv4 client behind a NAT64 is not one /64.
        if v6[0..<10].allSatisfy({ $0 == 0 }) && v6[10] == 0xFF && v6[11] == 0xFF
            || v6[0..<12].elementsEqual([0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0])
        {
            return dotted(v6[12..<16])
        }
        // 6to4 (2002::/16): one IPv4 address owns the whole 2002:V4ADDR::/48, 65,536 /64s.
        if v6[0] == 0x20 && v6[1] == 0x02 { return dotted(v6[2..<6]) }
        // Teredo (2001:0::/32): the /64 is the Teredo server's; the client's IPv4 is the last 32 bits, inverted.
        if v6[0..<4].elementsEqual([0x20, 0x01, 0, 0]) { return dotted(v6[12..<16].map { ~$0 }[...]) }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(v6[$0]) << 8 | UInt16(v6[$0 + 1]), radix: 16) }
        return (groups.joined(separator: ":") + "::/64", groups.prefix(3).joined(separator: ":") + "::/48")
    }

    /// The 4 bytes of a dotted IPv4 address (four numbers 0–255 of 1–3 digits, no leading zero: `010` is 8 to
    /// `inet_aton` and 10 to others, so it is no address).
    static func ipv4Bytes(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// The 16 bytes of an IPv6 address (RFC 4291 text: groups of 1–4 hex digits, one `::` at most, an IPv4 tail).
    static func ipv6Bytes(_ text: Substring) -> [UInt8]? {
        func groups(_ part: Substring, last: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if last && index == pieces.count - 1 && piece.contains(".") {
                    guard let v4 = ipv4Bytes(piece) else { return nil }
                    bytes += v4
                } else {
                    // Hex digits only: `UInt16(_:radix:)` also takes a sign (`+a`, `-0`).
                    guard (1...4).contains(piece.count), piece.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                        let value = UInt16(piece, radix: 16)
                    else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return bytes
        }
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        switch halves.count {
        case 1:
            guard let bytes = groups(halves[0], last: true), bytes.count == 16 else { return nil }
            return bytes
        case 2:
            guard let head = groups(halves[0], last: false), let tail = groups(halves[1], last: true),
                head.count + tail.count <= 14
            else { return nil }
            return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
        default:
            return nil
        }
    }
}

/// Drops `X-Forwarded-Proto` from every request whose peer is none of ``AccountRoutes/Configuration/trustedProxies``
/// (or has no IP address), before the routes read it: with trusted proxies set, only they say that the browser used
/// HTTPS (the `Secure` cookie flag, the scheme of the Twitter callback URL).
struct ForwardedProtoGate<Context: RequestContext>: RouterMiddleware {
    let trustedProxies: [AccountRoutes.AddressRange]

    static var name: HTTPField.Name { HTTPField.Name("X-Forwarded-Proto")! }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await next(
            Self.believed(request, peer: AccountRoutes.peerAddress(context), trustedProxies: trustedProxies), context)
    }

    /// `request`, without `X-Forwarded-Proto` unless `peer` is among `trustedProxies` (or none are set).
    static func believed(_ request: Request, peer: [UInt8]?, trustedProxies: [AccountRoutes.AddressRange]) -> Request {
        guard !trustedProxies.isEmpty, request.headers[name] != nil else { return request }
        if let peer, trustedProxies.contains(where: { $0.contains(peer) }) { return request }
        var head = request.head
        head.headerFields[name] = nil
        return Request(head: head, body: request.body)
    }
}
