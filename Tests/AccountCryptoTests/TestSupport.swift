import AccountCrypto

/// Lowercase hexadecimal of `bytes`.
func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Bytes of a hexadecimal string (whitespace ignored); traps on malformed input, which only tests supply.
func bytes(hex string: String) -> [UInt8] {
    let digits = string.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Character($0) }
    precondition(digits.count.isMultiple(of: 2), "odd hex length")
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
        out.append(UInt8(String(digits[index...index + 1]), radix: 16)!)
        index += 2
    }
    return out
}

/// A key whose 32 bytes are all `fill`.
func makeKey(_ id: String, fill: UInt8) throws -> SecretKey {
    try SecretKey(id: id, bytes: [UInt8](repeating: fill, count: 32))
}
