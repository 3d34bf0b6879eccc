extension AccountRoutes {
    /// A range of IP addresses, written as in CIDR (`10.0.0.0/8`, `2001:db8::/32`) or as one address (`192.0.2.1`,
    /// which is `192.0.2.1/32`): the proxies whose word on the client's address is taken
    /// (``Configuration/trustedProxies``).
    ///
    /// ```swift
    /// var configuration = AccountRoutes.Configuration()
    /// configuration.clientAddressHeader = "X-Forwarded-For"
    /// configuration.trustedProxies = [try AccountRoutes.AddressRange("10.1.0.0/16")]
    /// ```
    ///
    /// An IPv4 range also holds the IPv4-mapped IPv6 form of its addresses (`::ffff:10.1.2.3`), as a dual-stack
    /// socket reports an IPv4 peer, and an IPv6 range the IPv4 addresses whose mapped form it holds
    /// (`::ffff:10.0.0.0/104` holds `10.1.2.3`), as an IPv4 socket reports them: which socket the app listens on
    /// changes nothing.
    public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
        /// The first address's bytes: 4 for IPv4, 16 for IPv6.
        let bytes: [UInt8]
        /// How many leading bits an address must share with ``bytes``.
        let prefixLength: Int

        /// Reads `text`: an IPv4 or IPv6 address, optionally followed by `/` and a prefix length (0–32, 0–128).
        /// - Throws: ``AddressRangeError`` naming `text` when it is no address, the prefix length is out of range, or
        ///   the address has bits set past the prefix (`10.1.2.3/8`: the range is written `10.0.0.0/8`).
        public init(_ text: String) throws(AddressRangeError) {
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let bytes = AccountRoutes.ipv4Bytes(parts[0]) ?? AccountRoutes.ipv6Bytes(parts[0]) else {
                throw .notAnAddress(text)
            }
            let maximum = bytes.count * 8
            var prefixLength = maximum
            if parts.count == 2 {
                guard (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                    let length = Int(parts[1]), length <= maximum
                else { throw .badPrefixLength(text, maximum: maximum) }
                prefixLength = length
            }
            let masked = Self.masked(bytes, prefixLength)
            guard masked == bytes else {
                throw .bitsPastThePrefix(text, range: Self.text(masked, prefixLength))
            }
            self.bytes = bytes
            self.prefixLength = prefixLength
        }

        /// Loopback, the private IPv4 networks of RFC 1918 and IPv6's unique local addresses: `127.0.0.0/8`,
        /// `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`, `::1/128`, `fc00::/7`, for a proxy on the same host
        /// or the same private network as the app.
        public static let loopbackAndPrivate: [AddressRange] = [
            "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7",
        ].map { try! AddressRange($0) }

        /// The range in CIDR notation, as read (`10.0.0.0/8`, `2001:db8::/32`).
        public var description: String { Self.text(bytes, prefixLength) }

        /// Whether the address whose bytes are `address` (4 or 16) is in the range; an IPv4 address and its
        /// IPv4-mapped IPv6 form (`::ffff:10.1.2.3`) are one address.
        func contains(_ address: [UInt8]) -> Bool {
            var address = address
            if bytes.count == 4, address.count == 16, address.starts(with: Self.mappedPrefix) {
                address = Array(address[12..<16])
            } else if bytes.count == 16, address.count == 4 {
                address = Self.mappedPrefix + address
            }
            return address.count == bytes.count && Self.masked(address, prefixLength) == bytes
        }

        /// The first 12 bytes of an IPv4-mapped IPv6 address, `::ffff:0:0/96`.
        static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

        static func masked(_ bytes: [UInt8], _ prefixLength: Int) -> [UInt8] {
            bytes.enumerated().map { index, byte in
                let bits = min(max(prefixLength - index * 8, 0), 8)
                return bits == 8 ? byte : byte & ~(UInt8(0xFF) >> bits)
            }
        }

        static func text(_ bytes: [UInt8], _ prefixLength: Int) -> String {
            if bytes.count == 4 { return bytes.map { String($0) }.joined(separator: ".") + "/\(prefixLength)" }
            // RFC 5952, section 5: an IPv4-mapped address ends in its IPv4 address, `::ffff:192.0.2.1`.
            if prefixLength >= 96 && bytes.starts(with: mappedPrefix) {
                return "::ffff:" + text(Array(bytes[12..<16]), prefixLength)
            }
            let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            // RFC 5952: the longest run of two or more zero groups, the first of equal runs, becomes `::`.
            var best: Range<Int>?
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else {
                    index += 1
                    continue
                }
                let start = index
                while index < 8 && groups[index] == 0 { index += 1 }
                if index - start >= 2 && index - start > (best?.count ?? 0) { best = start..<index }
            }
            let hex = groups.map { String($0, radix: 16) }
            let written =
                best.map { run in
                    hex[..<run.lowerBound].joined(separator: ":") + "::" + hex[run.upperBound...].joined(separator: ":")
                } ?? hex.joined(separator: ":")
            return written + "/\(prefixLength)"
        }
    }

    /// Why text given as an ``AddressRange`` was refused; each case names the text.
    public enum AddressRangeError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text before any `/` is no IPv4 or IPv6 address.
        case notAnAddress(String)
        /// The prefix length is not a number from 0 to `maximum` (32 for IPv4, 128 for IPv6).
        case badPrefixLength(String, maximum: Int)
        /// The address has bits set past the prefix; `range` is how the range is written.
        case bitsPastThePrefix(String, range: String)

        /// A sentence quoting the text and saying how to write a range.
        public var description: String {
            switch self {
            case .notAnAddress(let text):
                "\"\(text)\" is no IP address or range (write one as 10.0.0.0/8, 2001:db8::/32 or 192.0.2.1)"
            case .badPrefixLength(let text, let maximum):
                "\"\(text)\": the prefix length after / must be a number from 0 to \(maximum)"
            case .bitsPastThePrefix(let text, let range):
                "\"\(text)\" has address bits set past its prefix: the range is written \(range)"
            }
        }
    }
}
