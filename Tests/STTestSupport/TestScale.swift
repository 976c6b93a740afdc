import Foundation

/// How much of the long end-to-end runs a test run covers. CI (`scripts/test.sh`) runs a sample of each: the same
/// code paths on fewer documents, sentences or steps, with checks that need no published figure (recall against
/// exact search, int8 against fp32, a fine-tune that must improve). `SBERT_FULL_TESTS=1` (`scripts/test-release.sh`,
/// run before releases) runs them whole, with the published figures and Python's results as goldens.
public enum TestScale {
    /// Whether the whole data sets run (`SBERT_FULL_TESTS=1`).
    public static let full = ProcessInfo.processInfo.environment["SBERT_FULL_TESTS"] == "1"

    /// `whole` with `SBERT_FULL_TESTS=1`, else `sample`.
    public static func count(whole: Int, sample: Int) -> Int { full ? whole : min(whole, sample) }
}
