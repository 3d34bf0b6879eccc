import Foundation

extension String {
    /// Unicode Normalization Form KC: the compatibility decomposition, then the canonical composition.
    ///
    /// Not Foundation's `precomposedStringWithCompatibilityMapping`, which on Linux (swift-corelibs-foundation, Swift
    /// 6.3) leaves uncomposed some of what its compatibility decomposition makes: half-width `ﾊﾟ` (U+FF8A U+FF9F) comes
    /// out as `ハ` and a combining mark (U+30CF U+309A), not `パ` (U+30D1), and the Hangul compatibility jamo `ㄱㅏ` as
    /// conjoining jamo, not `가`; a second pass composes them, so its result is not even stable (found by a reader in
    /// session 61: a password chosen in half-width katakana was not the one typed with a usual input method).
    package var nfkc: String {
        decomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping
    }
}
