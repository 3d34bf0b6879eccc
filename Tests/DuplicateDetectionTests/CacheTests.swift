import DuplicateDetection
import TestSupport
import Testing

/// The detector's two caches: every entry found again, with its own value, after many rounds of growth.
@Suite(.offThePool)
struct CacheTests {
    @Test func aTextCacheGivesEachTextItsOwnValueThroughGrowth() {
        // Texts alike in length and prefix, non-ASCII ones in two normal forms (different bytes, so different texts
        // here, though `String` calls them equal), and the empty text; 20,000 of them from a capacity of 16 make
        // the cache grow many times.
        var texts = ["", "é", "e\u{301}", "Ångström", "A\u{30A}ngstro\u{308}m", "ab", "ba", "abc", "abd"]
        for index in 0..<20_000 { texts.append("name\(index)") }
        var cache = TextCache<Int>(capacity: 16)
        for (index, text) in texts.enumerated() {
            let position = cache.find(text)
            #expect(position.value == nil, "\(text) is new")
            cache.insert(text, index, at: position)
        }
        #expect(cache.count == texts.count)
        for (index, text) in texts.enumerated() { #expect(cache.find(text).value == index, "\(text)") }
        #expect(cache.find("name20000").value == nil)
        #expect(cache.find("nam").value == nil)
    }

    @Test func aKeyedCacheKeepsEveryKeyThroughGrowthAndForgetsAllAtOnce() {
        // Keys differing only in their low bits or high bits, and 0.
        var keys: [UInt64] = [0, 1, 2, UInt64.max, 1 << 63]
        for index in 1...20_000 { keys.append(UInt64(index) << 40 | UInt64(index & 7)) }
        var cache = KeyedCache<Int>(capacity: 4)
        for (index, key) in keys.enumerated() { cache[key] = index }
        #expect(cache.count == keys.count)
        for (index, key) in keys.enumerated() { #expect(cache[key] == index) }
        cache[keys[3]] = -1
        #expect(cache[keys[3]] == -1)
        #expect(cache.count == keys.count)
        #expect(cache[12345] == nil)
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(cache[keys[0]] == nil && cache[keys[10_000]] == nil)
        cache[keys[7]] = 7
        #expect(cache[keys[7]] == 7 && cache.count == 1)
    }
}
