import Foundation

/// SentencePiece's normalization rules, compiled into a character map (`"type": "Precompiled"`,
/// `"precompiled_charsmap"`: base64), as XLM-R and other SentencePiece tokenizers carry them (e.g. `nmt_nfkc`).
///
/// The blob is a little-endian `UInt32` trie size, a darts-clone double-array trie over UTF-8 byte strings, then
/// the replacement strings, NUL-terminated, that the trie's values point into. As the reference library does, the
/// map is applied per grapheme cluster: a cluster shorter than 6 UTF-8 bytes is looked up whole first, otherwise (or
/// when it has no entry) each of its scalars is looked up alone; a lookup takes the shortest key that is a prefix
/// of the looked-up text.
public struct Precompiled: Normalizer {
    let trie: [UInt32]
    let replacements: [UInt8]

    public init(charsmap: [UInt8]) throws {
        guard charsmap.count >= 4 else {
            throw TokenizerError.invalidField(component: "Precompiled", field: "precompiled_charsmap", expected: "at least 4 bytes")
        }
        let trieSize = Int(UInt32(charsmap[0]) | UInt32(charsmap[1]) << 8 | UInt32(charsmap[2]) << 16 | UInt32(charsmap[3]) << 24)
        guard trieSize % 4 == 0, 4 + trieSize <= charsmap.count else {
            throw TokenizerError.invalidField(component: "Precompiled", field: "precompiled_charsmap",
                                              expected: "a trie of \(trieSize) bytes inside a \(charsmap.count)-byte map")
        }
        var units: [UInt32] = []
        units.reserveCapacity(trieSize / 4)
        for offset in stride(from: 4, to: 4 + trieSize, by: 4) {
            units.append(UInt32(charsmap[offset]) | UInt32(charsmap[offset + 1]) << 8
                         | UInt32(charsmap[offset + 2]) << 16 | UInt32(charsmap[offset + 3]) << 24)
        }
        trie = units
        replacements = Array(charsmap[(4 + trieSize)...])
    }

    init(json: JSONValue) throws {
        let encoded = try ComponentFields(component: "Precompiled", json: json).string("precompiled_charsmap")
        guard let data = Data(base64Encoded: encoded) else {
            throw TokenizerError.invalidField(component: "Precompiled", field: "precompiled_charsmap", expected: "base64 data")
        }
        try self.init(charsmap: Array(data))
    }

    public func normalize(_ text: inout NormalizedText) {
        var chunks: [Range<Int>] = []
        var replacementsByChunk: [Int: [Unicode.Scalar]] = [:]
        for cluster in UnicodeNormalizer.graphemeClusters(of: text.scalars) {
            let scalars = text.scalars[cluster]
            let bytes = scalars.reduce(0) { $0 + UTF8.width($1) }
            if bytes < 6, let replacement = lookup(scalars) {
                replacementsByChunk[cluster.lowerBound] = replacement
                chunks.append(cluster)
                continue
            }
            for index in cluster {
                if let replacement = lookup(text.scalars[index..<(index + 1)]) {
                    replacementsByChunk[index] = replacement
                }
                chunks.append(index..<(index + 1))
            }
        }
        guard !replacementsByChunk.isEmpty else { return }
        // The reference library records a removal by making the previous character absorb it; characters removed
        // before any output have no previous character, so every later character takes the origin of the one that
        // many places before it. Offsets in the fixtures show this; reproduce it.
        var leadingRemoved = 0
        for chunk in chunks {
            guard let replacement = replacementsByChunk[chunk.lowerBound], replacement.isEmpty else { break }
            leadingRemoved += chunk.count
        }
        text.rewrite(chunks: chunks, originShift: leadingRemoved) { chunk in replacementsByChunk[chunk.startIndex] }
    }

    /// The replacement of the shortest trie key that is a prefix of `scalars`' UTF-8 bytes.
    func lookup(_ scalars: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar]? {
        var bytes: [UInt8] = []
        for scalar in scalars { bytes.append(contentsOf: String(scalar).utf8) }
        guard let value = shortestPrefixValue(bytes), value < replacements.count else { return nil }
        var end = value
        while end < replacements.count, replacements[end] != 0 { end += 1 }
        return Array(String(decoding: replacements[value..<end], as: UTF8.self).unicodeScalars)
    }

    /// darts-clone's common prefix search, stopped at the first (shortest) key found. Every index is bounds-checked,
    /// so a corrupt map finds nothing rather than reading out of bounds.
    func shortestPrefixValue(_ key: [UInt8]) -> Int? {
        func offset(_ unit: UInt32) -> Int { Int((unit >> 10) << ((unit & (1 << 9)) >> 6)) }
        func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
        func label(_ unit: UInt32) -> UInt32 { unit & ((1 << 31) | 0xFF) }
        guard let root = trie.first else { return nil }
        var position = offset(root)
        for byte in key {
            position ^= Int(byte)
            guard position >= 0, position < trie.count else { return nil }
            let unit = trie[position]
            guard label(unit) == UInt32(byte) else { return nil }
            position ^= offset(unit)
            if hasLeaf(unit) {
                guard position >= 0, position < trie.count else { return nil }
                return Int(trie[position] & ((1 << 31) - 1))
            }
        }
        return nil
    }
}
