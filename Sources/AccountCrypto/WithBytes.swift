/// Calls `body` with the contiguous bytes of `bytes`, copying into a temporary array only when the collection has no
/// contiguous storage (a temporary copy of a key made here is zeroed before it is released).
func withBytes<Result>(
    of bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result {
    if let result = try bytes.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    var copy = Array(bytes)
    defer { LibCrypto.cleanse(&copy) }
    return try copy.withUnsafeBytes(body)
}
