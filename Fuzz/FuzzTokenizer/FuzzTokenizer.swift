import Foundation
import FuzzSupport
import STTokenizers

/// Fuzz target for the tokenizer: `tokenizer.json` loading, then `tokenize`, `tokenize(_:limit:)`, `encode` (single,
/// pair, truncated, batch with padding) and `decode` on text. A thrown error is a fine outcome; a crash, a hang or a
/// broken invariant is a finding.
///
/// Input layout: `[selector, limit, repeats] + body`.
/// - An even `selector` picks one of the fixture tokenizers (`Tests/Fixtures/tokenizers`, `selector / 2 % 4`) and
///   the body is the text; an odd one reads the body as `tokenizer.json` bytes, a zero byte, then the text.
/// - `limit` (1…64) is the token limit for `tokenize(_:limit:)` and truncation.
/// - The text is repeated 1, 2, 4, 8 or 16 times (`repeats % 5`, up to about 8,192 scalars), so that
///   `tokenize(_:limit:)` reaches its windows (4,096 scalars and more) from inputs libFuzzer can still mutate quickly.
@main
enum FuzzTokenizer {
    static func main() {
        // Loaded before the fuzzer starts, so that loading 3 MB of JSON does not count against the first input's timeout.
        _ = fixtures
        FuzzDriver.main { data, count in
            FuzzTokenizer.test(UnsafeRawBufferPointer(start: data, count: count))
            return 0
        }
    }

    /// The fixture tokenizers, loaded once: the four families the project ships parity tests for.
    static let fixtures: [Tokenizer] = {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/tokenizers")
        var loaded: [Tokenizer] = []
        for name in ["bert-wordpiece", "mpnet-wordpiece", "roberta-bpe", "xlmr-unigram"] {
            let url = directory.appendingPathComponent(name).appendingPathComponent("tokenizer.json")
            do {
                loaded.append(try Tokenizer(contentsOf: url))
            } catch {
                // Without its fixtures the target would fuzz nothing: stop at once rather than report a clean run.
                FileHandle.standardError.write(Data("fuzz-tokenizer: cannot load \(url.path): \(error)\n".utf8))
                exit(2)
            }
        }
        return loaded
    }()

    static func test(_ input: UnsafeRawBufferPointer) {
        guard input.count >= 3 else { return }
        let selector = Int(input[0])
        let limit = Int(input[1]) % 64 + 1
        let repeats = 1 << (Int(input[2]) % 5)
        let body = input[3...]
        let tokenizer: Tokenizer
        let text: String
        let isFixture = selector % 2 == 0
        if isFixture {
            tokenizer = fixtures[selector / 2 % fixtures.count]
            text = String(decoding: body, as: UTF8.self)
        } else {
            let split = body.firstIndex(of: 0) ?? body.endIndex
            // As `Tokenizer(contentsOf:)` reads a file, without the file.
            guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(body[..<split])),
                  let loaded = try? Tokenizer(json: json)
            else { return }
            tokenizer = loaded
            text = split < body.endIndex ? String(decoding: body[(split + 1)...], as: UTF8.self) : "Hello, world! 123"
        }
        // At most ~8,192 scalars: enough for two windows, short enough to keep each run in milliseconds.
        let copies = min(repeats, max(1, 8192 / max(1, text.unicodeScalars.count)))
        exercise(tokenizer, text: String(repeating: text, count: copies), limit: limit, direction: selector & 4 == 0 ? .right : .left,
                 // The windowed `tokenize(_:limit:)` equals the full one for the stages the reference ships, whose
                 // look-ahead ends at a word; a file's own regular expressions may look further, so only the fixtures
                 // are held to it.
                 checkPrefix: isFixture)
    }

    static func exercise(_ tokenizer: Tokenizer, text: String, limit: Int, direction: TruncationDirection, checkPrefix: Bool) {
        let scalarCount = text.unicodeScalars.count
        // A regular expression over its work budget throws: a fine outcome, and every later call would throw too.
        guard let tokens = try? tokenizer.tokenize(text) else { return }
        checkOffsets(tokens.map(\.offsets), scalarCount: scalarCount, what: "tokenize")

        if let limited = try? tokenizer.tokenize(text, limit: limit) {
            FuzzInvariant.require(limited.count <= limit, "tokenize(limit: \(limit)) returned \(limited.count) tokens")
            if checkPrefix {
                FuzzInvariant.require(limited == Array(tokens.prefix(limit)),
                                      "tokenize(limit: \(limit)) differs from tokenize().prefix(\(limit)) on \(scalarCount) scalars")
            }
        }

        if let encoding = try? tokenizer.encode(text) {
            checkShape(encoding, what: "encode")
            checkOffsets(encoding.offsets, scalarCount: scalarCount, what: "encode")
            _ = try? tokenizer.decode(encoding.ids)
            _ = try? tokenizer.decode(encoding.ids, skipSpecialTokens: false)
        }

        var truncated = tokenizer
        truncated.truncation = Truncation(maxLength: limit, direction: direction)
        if let encoding = try? truncated.encode(text) {
            checkShape(encoding, what: "encode with truncation")
            checkOffsets(encoding.offsets, scalarCount: scalarCount, what: "encode with truncation")
            let added = tokenizer.postProcessor?.addedTokenCount(isPair: false) ?? 0
            FuzzInvariant.require(encoding.count <= max(limit, added), "truncation to \(limit) kept \(encoding.count) tokens")
        }

        let scalars = text.unicodeScalars
        let middle = scalars.index(scalars.startIndex, offsetBy: scalarCount / 2)
        let first = String(scalars[..<middle])
        let second = String(scalars[middle...])
        if let encoding = try? truncated.encode(first, pair: second) { checkShape(encoding, what: "encode pair") }
        if let batch = try? tokenizer.encodeBatch([first, second]) {
            for encoding in batch { checkShape(encoding, what: "encodeBatch") }
        }

        // Ids the vocabulary may not have (negative, past the end) and bytes that are no token.
        let ids = Array(text.utf8.prefix(64)).map { Int($0) * 131 - 1000 } + [Int.min, -1, Int.max]
        _ = try? tokenizer.decode(ids)
        _ = try? tokenizer.decode(ids, skipSpecialTokens: false)
    }

    /// Every token's offsets lie inside the text it came from.
    static func checkOffsets(_ offsets: [Range<Int>], scalarCount: Int, what: String) {
        for range in offsets {
            FuzzInvariant.require(range.lowerBound >= 0 && range.upperBound <= scalarCount,
                                  "\(what): offsets \(range) outside a text of \(scalarCount) scalars")
        }
    }

    /// The parallel arrays of an encoding have one entry per token.
    static func checkShape(_ encoding: Encoding, what: String) {
        let counts = [encoding.typeIDs.count, encoding.tokens.count, encoding.offsets.count, encoding.specialTokensMask.count,
                      encoding.attentionMask.count]
        FuzzInvariant.require(counts.allSatisfy { $0 == encoding.ids.count }, "\(what): \(encoding.ids.count) ids but arrays of \(counts)")
    }
}
