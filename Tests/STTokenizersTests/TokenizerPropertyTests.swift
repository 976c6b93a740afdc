import Foundation
import STTestSupport
import STTokenizers
import Testing

/// Random Unicode through every tokenizer family: no crash, every offset inside the text, tokens in text order.
@Suite struct TokenizerPropertyTests {
    /// Scalars drawn from the places tokenizers get wrong: every plane, combining marks, controls, format characters,
    /// private use, noncharacters, U+FFFD (what invalid UTF-8 decodes to), whitespace of every kind, emoji sequences.
    static func randomText(length: Int, using generator: inout SeededGenerator) -> String {
        let pools: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x00...0x1F, 0x7F...0x9F, 0xA0...0x24F, 0x300...0x36F, 0x370...0x3FF, 0x400...0x4FF, 0x590...0x6FF,
            0x900...0x97F, 0xE00...0xE7F, 0x1100...0x11FF, 0x2000...0x206F, 0x3000...0x30FF, 0x4E00...0x9FFF, 0xAC00...0xD7A3,
            0xE000...0xF8FF, 0xFDD0...0xFDEF, 0xFE00...0xFE0F, 0xFF00...0xFFEF, 0xFFF9...0xFFFD, 0x1F300...0x1FAFF,
            0x10000...0x10FFFF, 0xE0000...0xE007F,
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let pool = pools[Int.random(in: 0..<pools.count, using: &generator)]
            let value = UInt32.random(in: pool, using: &generator)
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    static let families = ["bert-wordpiece", "mpnet-wordpiece", "roberta-bpe", "xlmr-unigram"]

    @Test(arguments: families) func offsetsStayInsideTheTextAndInOrder(family: String) throws {
        let seed: UInt64 = 20_261_129
        var generator = SeededGenerator(seed: seed &+ UInt64(family.utf8.count))
        let tokenizer = try Tokenizer(contentsOf: TestResources.fixture("tokenizers/\(family)/tokenizer.json"))
        let special = Set(tokenizer.addedTokens.filter(\.special).map(\.id))
        var texts = (0..<150).map { _ in Self.randomText(length: Int.random(in: 0...60, using: &generator), using: &generator) }
        texts.append(Self.randomText(length: 20_000, using: &generator))
        texts.append(String(repeating: "\u{301}", count: 500))
        texts.append(String(decoding: [0x66, 0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0x41] as [UInt8], as: UTF8.self))
        for (index, text) in texts.enumerated() {
            var unbounded = tokenizer
            unbounded.truncation = nil
            let encoding = try unbounded.encode(text)
            let length = text.unicodeScalars.count
            var previousStart = 0
            for (position, offsets) in encoding.offsets.enumerated() where !special.contains(encoding.ids[position]) {
                #expect(offsets.lowerBound >= 0 && offsets.upperBound <= length, "seed \(seed) \(family) text \(index): \(offsets) outside 0...\(length)")
                #expect(offsets.lowerBound >= previousStart, "seed \(seed) \(family) text \(index): offsets go back at token \(position)")
                previousStart = offsets.lowerBound
            }
            #expect(encoding.ids.allSatisfy { tokenizer.token(forID: $0) != nil })
            _ = try tokenizer.decode(encoding.ids)
            let pair = try unbounded.encode(text, pair: String(text.reversed()))
            #expect(pair.ids.count == pair.offsets.count && pair.ids.count == pair.typeIDs.count)
        }
    }

    /// Random words (of the scalars above) separated by random whitespace, with runs of no whitespace at all.
    static func randomWords(scalars count: Int, using generator: inout SeededGenerator) -> String {
        let spaces: [String] = [" ", " ", " ", "  ", "\n", "\t", "\u{3000}", "\u{A0}", " \u{301}"]
        var text = ""
        var length = 0
        while length < count {
            let word = Int.random(in: 0..<50, using: &generator) == 0 ? 300 : Int.random(in: 1...12, using: &generator)
            text += randomText(length: word, using: &generator) + spaces[Int.random(in: 0..<spaces.count, using: &generator)]
            length += word + 1
        }
        return text
    }

    /// Truncating while tokenizing (issue #17: a 50 MB line was tokenized whole before truncation) keeps exactly the
    /// tokens that tokenizing everything and truncating after keeps.
    @Test(arguments: families) func truncatingWhileTokenizingKeepsTheSameTokens(family: String) throws {
        let seed: UInt64 = 20_261_130
        var generator = SeededGenerator(seed: seed &+ UInt64(family.utf8.count))
        var tokenizer = try Tokenizer(contentsOf: TestResources.fixture("tokenizers/\(family)/tokenizer.json"))
        tokenizer.truncation = nil
        var texts = (0..<12).map { _ in Self.randomWords(scalars: Int.random(in: 3_000...40_000, using: &generator), using: &generator) }
        texts.append(Self.randomText(length: 30_000, using: &generator))           // whitespace only by chance
        texts.append(String(repeating: "a", count: 9_000) + " tail")               // one long word, cut mid-word
        texts.append(String(repeating: " ", count: 20_000) + "late words only")    // tokens start far in
        texts.append(String(repeating: "北京天安门", count: 3_000))                    // no whitespace, one token per ideograph
        texts.append("short text")
        for (index, text) in texts.enumerated() {
            let all = try tokenizer.tokenize(text)
            for limit in [1, 7, 126, 510] {
                let limited = try tokenizer.tokenize(text, limit: limit)
                #expect(limited == Array(all.prefix(limit)), "seed \(seed) \(family) text \(index) (\(text.unicodeScalars.count) scalars) limit \(limit)")
            }
            var truncating = tokenizer
            truncating.truncation = Truncation(maxLength: 128)
            #expect(try truncating.encode(text, addSpecialTokens: false).ids == all.prefix(128).map(\.id), "\(family) text \(index)")
        }
    }
}
