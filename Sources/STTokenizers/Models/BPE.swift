import Synchronization

/// Byte-pair encoding (`"type": "BPE"`): a word starts as single characters (with `continuing_subword_prefix` on
/// all but the first, `end_of_word_suffix` on the last) and the adjacent pair with the lowest merge rank is merged,
/// leftmost first, until no pair has a merge. Unknown characters become `unk_token` (consecutive ones fused with
/// `fuse_unk`) or, with `byte_fallback`, their `<0xXX>` byte tokens. With `ignore_merges`, a word found whole in the
/// vocabulary is one token.
public final class BPE: TokenizerModel, @unchecked Sendable {
    let vocabulary: [String: Int]
    let tokensByID: [Int: String]
    /// (left id, right id) → (rank, merged id).
    let merges: [PairKey: (rank: Int, id: Int)]
    public let unkToken: String?
    public let continuingSubwordPrefix: String?
    public let endOfWordSuffix: String?
    public let fuseUnk: Bool
    public let byteFallback: Bool
    public let ignoreMerges: Bool
    /// Words already tokenized, as (id, scalar length) pieces; guarded, since the model is shared across threads.
    private let cache = Mutex<[String: [(id: Int, length: Int)]]>([:])
    private static let cacheCapacity = 10_000

    struct PairKey: Hashable { let left: Int, right: Int }

    public init(vocabulary: [String: Int], merges: [(String, String)], unkToken: String? = nil, continuingSubwordPrefix: String? = nil,
                endOfWordSuffix: String? = nil, fuseUnk: Bool = false, byteFallback: Bool = false, ignoreMerges: Bool = false) throws {
        self.vocabulary = vocabulary
        var byID: [Int: String] = [:]
        for (token, id) in vocabulary { byID[id] = token }
        tokensByID = byID
        let prefixLength = continuingSubwordPrefix?.count ?? 0
        var table: [PairKey: (rank: Int, id: Int)] = [:]
        for (rank, (left, right)) in merges.enumerated() {
            guard let leftID = vocabulary[left] else { throw TokenizerError.unknownToken(component: "BPE merges", token: left) }
            guard let rightID = vocabulary[right] else { throw TokenizerError.unknownToken(component: "BPE merges", token: right) }
            // The merged token drops the right part's continuation prefix.
            let merged = left + (prefixLength > 0 && right.hasPrefix(continuingSubwordPrefix ?? "") ? String(right.dropFirst(prefixLength)) : right)
            guard let mergedID = vocabulary[merged] else { throw TokenizerError.unknownToken(component: "BPE merges", token: merged) }
            let key = PairKey(left: leftID, right: rightID)
            if table[key] == nil { table[key] = (rank, mergedID) }
        }
        self.merges = table
        if let unkToken, vocabulary[unkToken] == nil { throw TokenizerError.unknownToken(component: "BPE", token: unkToken) }
        self.unkToken = unkToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.fuseUnk = fuseUnk
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
    }

    convenience init(json: JSONValue) throws {
        let fields = ComponentFields(component: "BPE", json: json)
        var vocabulary: [String: Int] = [:]
        for (token, value) in try fields.object("vocab") {
            guard let id = value.intValue else { throw TokenizerError.invalidField(component: "BPE", field: "vocab.\(token)", expected: "an integer id") }
            vocabulary[token] = id
        }
        let merges = try fields.array("merges").map { entry -> (String, String) in
            if let line = entry.stringValue {
                let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw TokenizerError.invalidField(component: "BPE", field: "merges", expected: "\"left right\" strings or [left, right] pairs") }
                return (String(parts[0]), String(parts[1]))
            }
            guard let pair = entry.arrayValue, pair.count == 2, let left = pair[0].stringValue, let right = pair[1].stringValue else {
                throw TokenizerError.invalidField(component: "BPE", field: "merges", expected: "\"left right\" strings or [left, right] pairs")
            }
            return (left, right)
        }
        if let dropout = json["dropout"]?.doubleValue, dropout > 0 {
            throw TokenizerError.invalidField(component: "BPE", field: "dropout", expected: "null or 0 (dropout is for training)")
        }
        try self.init(
            vocabulary: vocabulary, merges: merges, unkToken: try fields.optionalString("unk_token"),
            continuingSubwordPrefix: try fields.optionalString("continuing_subword_prefix"),
            endOfWordSuffix: try fields.optionalString("end_of_word_suffix"),
            fuseUnk: try fields.bool("fuse_unk", default: false), byteFallback: try fields.bool("byte_fallback", default: false),
            ignoreMerges: try fields.bool("ignore_merges", default: false))
    }

    public var vocabularySize: Int { vocabulary.count }
    public func id(forToken token: String) -> Int? { vocabulary[token] }
    public func token(forID id: Int) -> String? { tokensByID[id] }

    public func tokenize(_ word: NormalizedText) -> [Token] {
        guard !word.isEmpty else { return [] }
        let key = word.string
        if ignoreMerges, let id = vocabulary[key] {
            return [Token(id: id, value: key, offsets: word.originalRange(of: 0..<word.count))]
        }
        let pieces = cache.withLock { $0[key] } ?? {
            let computed = merge(word.scalars)
            cache.withLock { if $0.count < Self.cacheCapacity { $0[key] = computed } }
            return computed
        }()
        var tokens: [Token] = []
        var position = 0
        for piece in pieces {
            let range = position..<(position + piece.length)
            tokens.append(Token(id: piece.id, value: tokensByID[piece.id] ?? "", offsets: word.originalRange(of: range)))
            position += piece.length
        }
        return tokens
    }

    /// The merged pieces of one word: (id, number of the word's scalars it covers).
    func merge(_ scalars: [Unicode.Scalar]) -> [(id: Int, length: Int)] {
        var symbols: [(id: Int, length: Int)] = []
        var unknown: (id: Int, length: Int)?
        let unkID = unkToken.flatMap { vocabulary[$0] }
        for (index, scalar) in scalars.enumerated() {
            var piece = String(scalar)
            if index > 0, let prefix = continuingSubwordPrefix { piece = prefix + piece }
            if index == scalars.count - 1, let suffix = endOfWordSuffix { piece += suffix }
            if let id = vocabulary[piece] {
                if let pending = unknown { symbols.append(pending); unknown = nil }
                symbols.append((id, 1))
                continue
            }
            if byteFallback {
                let byteIDs = piece.utf8.map { vocabulary["<0x\(String($0, radix: 16, uppercase: true).leftPadded(to: 2))>"] }
                if byteIDs.allSatisfy({ $0 != nil }) {
                    if let pending = unknown { symbols.append(pending); unknown = nil }
                    // Byte tokens share their character: the first covers it, the others cover nothing.
                    for (offset, id) in byteIDs.compactMap({ $0 }).enumerated() { symbols.append((id, offset == 0 ? 1 : 0)) }
                    continue
                }
            }
            guard let unkID else { continue }
            if let pending = unknown {
                if fuseUnk {
                    unknown = (pending.id, pending.length + 1)
                    continue
                }
                symbols.append(pending)
            }
            unknown = (unkID, 1)
        }
        if let pending = unknown { symbols.append(pending) }

        return Self.applyMerges(to: symbols, merges: merges)
    }

    /// Merges adjacent symbols, always the pair of lowest rank (the leftmost among equals) next, until no pair has a
    /// merge: the order Hugging Face `tokenizers` merges in. A heap of candidate pairs over a linked list, so a word of
    /// n symbols takes O(n log n): rescanning the word for each merge took 28 s for one 45,000-byte word without
    /// spaces (byte-level BPE), a denial of service for the server.
    static func applyMerges(to initial: [(id: Int, length: Int)], merges: [PairKey: (rank: Int, id: Int)]) -> [(id: Int, length: Int)] {
        guard initial.count > 1 else { return initial }
        var ids = initial.map(\.id), lengths = initial.map(\.length)
        var previous = Array(-1..<(initial.count - 1)), next = Array(1...initial.count)
        next[initial.count - 1] = -1
        var alive = [Bool](repeating: true, count: initial.count)
        var candidates = MergeHeap()
        for index in 0..<(initial.count - 1) {
            if let merge = merges[PairKey(left: ids[index], right: ids[index + 1])] {
                candidates.push(.init(rank: merge.rank, position: index, left: ids[index], right: ids[index + 1]))
            }
        }
        while let candidate = candidates.pop() {
            let position = candidate.position, right = next[position]
            // Stale: a symbol of the pair was merged away or changed since the pair was queued.
            guard alive[position], right >= 0, ids[position] == candidate.left, ids[right] == candidate.right,
                  let merge = merges[PairKey(left: candidate.left, right: candidate.right)] else { continue }
            ids[position] = merge.id
            lengths[position] += lengths[right]
            alive[right] = false
            next[position] = next[right]
            if next[right] >= 0 { previous[next[right]] = position }
            if previous[position] >= 0, let left = merges[PairKey(left: ids[previous[position]], right: ids[position])] {
                candidates.push(.init(rank: left.rank, position: previous[position], left: ids[previous[position]], right: ids[position]))
            }
            if next[position] >= 0, let following = merges[PairKey(left: ids[position], right: ids[next[position]])] {
                candidates.push(.init(rank: following.rank, position: position, left: ids[position], right: ids[next[position]]))
            }
        }
        var merged: [(id: Int, length: Int)] = []
        var index = 0
        while index >= 0 {
            merged.append((ids[index], lengths[index]))
            index = next[index]
        }
        return merged
    }
}

/// A binary min-heap of merge candidates, ordered by rank, then by position (the leftmost pair first).
struct MergeHeap {
    struct Candidate {
        let rank: Int, position: Int, left: Int, right: Int

        func precedes(_ other: Candidate) -> Bool { (rank, position) < (other.rank, other.position) }
    }

    private var items: [Candidate] = []

    mutating func push(_ candidate: Candidate) {
        items.append(candidate)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Candidate? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left].precedes(items[smallest]) { smallest = left }
            if right < items.count, items[right].precedes(items[smallest]) { smallest = right }
            guard smallest != parent else { return first }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
