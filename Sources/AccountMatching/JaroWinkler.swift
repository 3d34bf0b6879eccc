/// Jaro and Jaro–Winkler string similarity, in [0, 1] (1 means equal).
///
/// Jaro (1989) counts characters that match within a window of `max(|a|, |b|) / 2 - 1` positions and the
/// transpositions among them; Winkler (1990) raises the score of strings that share a prefix of up to four
/// characters by `prefix × 0.1 × (1 − jaro)`, when the Jaro score is above 0.7 (his boost threshold). Strings are
/// compared by Unicode scalar; fold case and accents first (``NameText``) when they should not count.
///
/// Reference values (W. E. Winkler, "String Comparator Metrics and Enhanced Decision Rules in the Fellegi-Sunter
/// Model of Record Linkage", 1990; table reprinted in Winkler 1994 and 2006): MARTHA/MARHTA 0.961,
/// DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813.
public enum JaroWinkler: Sendable {
    /// Winkler's prefix scale.
    public static let prefixScale = 0.1
    /// The longest common prefix that counts.
    public static let maximumPrefixLength = 4
    /// The Jaro score above which the prefix boost applies.
    public static let boostThreshold = 0.7

    /// The Jaro–Winkler similarity of `first` and `second`.
    public static func similarity(_ first: String, _ second: String) -> Double {
        let a = first.unicodeScalars.map(\.value)
        let b = second.unicodeScalars.map(\.value)
        return a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in similarity(a, b) } }
    }

    /// The Jaro similarity of `first` and `second` (no prefix boost).
    public static func jaro(_ first: String, _ second: String) -> Double {
        let a = first.unicodeScalars.map(\.value)
        let b = second.unicodeScalars.map(\.value)
        return a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in jaro(a, b) } }
    }

    /// Jaro–Winkler over Unicode scalar values.
    package static func similarity(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Double {
        similarityOf(a, b)
    }

    /// Jaro–Winkler over bytes (ASCII text).
    package static func similarity(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double {
        similarityOf(a, b)
    }

    /// Jaro over Unicode scalar values.
    package static func jaro(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Double {
        jaroOf(a, b)
    }

    @inline(__always)
    private static func similarityOf<Unit: Equatable>(
        _ a: UnsafeBufferPointer<Unit>, _ b: UnsafeBufferPointer<Unit>
    ) -> Double {
        let score = jaroOf(a, b)
        guard score > boostThreshold else { return score }
        var prefix = 0
        let limit = min(maximumPrefixLength, a.count, b.count)
        while prefix < limit && a[prefix] == b[prefix] { prefix += 1 }
        return score + Double(prefix) * prefixScale * (1 - score)
    }

    @inline(__always)
    private static func jaroOf<Unit: Equatable>(_ a: UnsafeBufferPointer<Unit>, _ b: UnsafeBufferPointer<Unit>)
        -> Double
    {
        if a.isEmpty && b.isEmpty { return 1 }
        if a.isEmpty || b.isEmpty { return 0 }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: a.count + b.count) { flags in
            flags.initialize(repeating: false)
            var matches = 0
            for i in 0..<a.count {
                let low = max(0, i - window)
                let high = min(b.count - 1, i + window)
                if low > high { continue }
                for j in low...high where !flags[a.count + j] && a[i] == b[j] {
                    flags[i] = true
                    flags[a.count + j] = true
                    matches += 1
                    break
                }
            }
            if matches == 0 { return 0 }
            var halfTranspositions = 0
            var k = 0
            for i in 0..<a.count where flags[i] {
                while !flags[a.count + k] { k += 1 }
                if a[i] != b[k] { halfTranspositions += 1 }
                k += 1
            }
            let m = Double(matches)
            let t = Double(halfTranspositions / 2)
            return (m / Double(a.count) + m / Double(b.count) + (m - t) / m) / 3
        }
    }
}
