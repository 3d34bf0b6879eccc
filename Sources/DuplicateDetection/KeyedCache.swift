/// Values kept by a 64-bit key, for the comparing workers' caches (typos per pair of words, handle surprises, name
/// carriers): open addressing with Fibonacci hashing. `Dictionary` set up its seeded hasher for every lookup, which at
/// a million accounts cost about a tenth of comparing.
package struct KeyedCache<Value> {
    private var keys: [UInt64]
    private var values: [Value?]
    /// `64 - log2(slot count)`: the top bits of the mixed key pick the slot.
    private var shift: UInt64
    /// How many keys it holds.
    package private(set) var count = 0

    /// An empty cache with room for `capacity` keys before it grows.
    package init(capacity: Int = 1024) {
        var size = 16
        var bits: UInt64 = 4
        while size < capacity * 2 {
            size <<= 1
            bits += 1
        }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: nil, count: size)
        shift = 64 - bits
    }

    private func slot(for key: UInt64) -> Int {
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while values[slot] != nil && keys[slot] != key { slot = (slot + 1) & mask }
        return slot
    }

    /// The value kept for `key`; setting `nil` is not supported (nothing is ever forgotten but all at once).
    package subscript(key: UInt64) -> Value? {
        get { values[slot(for: key)] }
        set {
            guard let newValue else { preconditionFailure("KeyedCache keeps values; use removeAll to forget") }
            var slot = slot(for: key)
            if values[slot] == nil {
                if (count + 1) * 2 > keys.count {
                    grow()
                    slot = self.slot(for: key)
                }
                count += 1
                keys[slot] = key
            }
            values[slot] = newValue
        }
    }

    /// Forgets every key, keeping the room.
    package mutating func removeAll() {
        for index in values.indices { values[index] = nil }
        count = 0
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        shift -= 1
        for index in oldKeys.indices {
            guard let value = oldValues[index] else { continue }
            let slot = slot(for: oldKeys[index])
            keys[slot] = oldKeys[index]
            values[slot] = value
        }
    }
}
