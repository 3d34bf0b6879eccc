/// Values kept by text, for the parse caches of loading (a name's words, worked out once per distinct spelling).
///
/// Open addressing on FNV-1a of the text's UTF-8 bytes, which are kept in one array. `Dictionary<String, _>` hashes
/// with a seeded SipHash set up afresh for every lookup; at a million accounts its lookups were a third of the loading
/// thread's time.
package struct TextCache<Value: Sendable>: Sendable {
    /// Entry index, or -1 for a free slot; a power of two long, at most half full.
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    /// `count + 1` starts into `bytes`.
    private var starts: [UInt32] = [0]
    private var bytes: [UInt8] = []
    private var values: [Value] = []

    /// An empty cache with room for `capacity` texts before it grows.
    package init(capacity: Int = 512) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
    }

    /// How many texts it holds.
    package var count: Int { values.count }

    /// Where `text` is, or would go.
    package struct Position {
        fileprivate let hash: UInt64
        fileprivate let slot: Int
        /// The value kept for the text, if any.
        package let value: Value?
    }

    /// Looks `text` up; pass the position to `insert(_:_:at:)` when it holds no value.
    package func find(_ text: String) -> Position {
        var text = text
        return text.withUTF8 { find($0) }
    }

    /// Looks `text` (UTF-8) up; pass the position to `insert(_:_:at:)` when it holds no value.
    package func find(_ text: UnsafeBufferPointer<UInt8>) -> Position {
        let hash = FNV1a.hash(text)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return Position(hash: hash, slot: slot, value: nil) }
            if hashes[entry] == hash {
                let start = Int(starts[entry])
                let end = Int(starts[entry + 1])
                if end - start == text.count
                    && bytes.withUnsafeBufferPointer({ stored in
                        stored[start..<end].elementsEqual(text)
                    })
                {
                    return Position(hash: hash, slot: slot, value: values[entry])
                }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Keeps `value` for `text`, which `position` (from ``find(_:)``, with no insert since) says is not here.
    package mutating func insert(_ text: String, _ value: Value, at position: Position) {
        var text = text
        text.withUTF8 { insert($0, value, at: position) }
    }

    /// Keeps `value` for `text` (UTF-8), which `position` (from ``find(_:)``, with no insert since) says is not here.
    package mutating func insert(_ text: UnsafeBufferPointer<UInt8>, _ value: Value, at position: Position) {
        precondition(position.value == nil, "a text is kept once")
        var slot = position.slot
        if (values.count + 1) * 2 > slots.count {
            grow()
            let mask = slots.count - 1
            slot = Int(truncatingIfNeeded: position.hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
        }
        slots[slot] = Int32(values.count)
        hashes.append(position.hash)
        bytes.append(contentsOf: text)
        starts.append(UInt32(bytes.count))
        values.append(value)
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for entry in hashes.indices {
            var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry)
        }
    }
}
