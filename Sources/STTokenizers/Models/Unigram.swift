/// SentencePiece's Unigram model (`"type": "Unigram"`): the segmentation of a word into vocabulary pieces with the
/// highest total log-probability (Viterbi). A character no piece starts with is unknown, scored `min_score − 10`;
/// consecutive unknown characters are fused into one `unk_id` token (or written as `<0xXX>` byte tokens with
/// `byte_fallback`).
public struct Unigram: TokenizerModel {
    let pieces: [(token: String, score: Double)]
    let ids: [String: Int]
    public let unkID: Int?
    public let byteFallback: Bool
    let minScore: Double
    let trie: PieceTrie

    public init(pieces: [(String, Double)], unkID: Int?, byteFallback: Bool = false) throws {
        self.pieces = pieces.map { (token: $0.0, score: $0.1) }
        var ids: [String: Int] = [:]
        // A duplicated piece answers to its last id, as in the reference library.
        for (index, piece) in pieces.enumerated() { ids[piece.0] = index }
        self.ids = ids
        if let unkID, !(0..<pieces.count).contains(unkID) {
            throw TokenizerError.invalidField(component: "Unigram", field: "unk_id", expected: "an index into vocab (0..<\(pieces.count))")
        }
        self.unkID = unkID
        self.byteFallback = byteFallback
        minScore = pieces.map(\.1).min() ?? 0
        var trie = PieceTrie()
        for (token, id) in ids { trie.insert(Array(token.unicodeScalars), id: id) }
        self.trie = trie
    }

    init(json: JSONValue) throws {
        let fields = ComponentFields(component: "Unigram", json: json)
        let pieces = try fields.array("vocab").map { entry -> (String, Double) in
            guard let pair = entry.arrayValue, pair.count == 2, let token = pair[0].stringValue, let score = pair[1].doubleValue else {
                throw TokenizerError.invalidField(component: "Unigram", field: "vocab", expected: "a list of [piece, score] pairs")
            }
            return (token, score)
        }
        try self.init(pieces: pieces, unkID: json["unk_id"]?.intValue, byteFallback: try fields.bool("byte_fallback", default: false))
    }

    public var vocabularySize: Int { pieces.count }
    public func id(forToken token: String) -> Int? { ids[token] }
    public func token(forID id: Int) -> String? { pieces.indices.contains(id) ? pieces[id].token : nil }

    public func tokenize(_ word: NormalizedText) -> [Token] {
        let scalars = word.scalars
        guard !scalars.isEmpty else { return [] }
        // best[i]: the best path over scalars[0..<i].
        var bestScore = [Double](repeating: 0, count: scalars.count + 1)
        var bestStart = [Int](repeating: -1, count: scalars.count + 1)
        var bestID = [Int](repeating: -1, count: scalars.count + 1)
        let unkScore = minScore - 10
        for start in 0..<scalars.count where start == 0 || bestStart[start] >= 0 {
            let base = bestScore[start]
            var hasSingle = false
            trie.forEachPrefix(of: scalars, from: start) { end, id in
                let candidate = base + pieces[id].score
                if bestStart[end] < 0 || candidate > bestScore[end] {
                    bestScore[end] = candidate
                    bestStart[end] = start
                    bestID[end] = id
                }
                if end == start + 1 { hasSingle = true }
            }
            if !hasSingle {
                let candidate = base + unkScore
                if bestStart[start + 1] < 0 || candidate > bestScore[start + 1] {
                    bestScore[start + 1] = candidate
                    bestStart[start + 1] = start
                    bestID[start + 1] = unkID ?? -1
                }
            }
        }
        // Walk back, fusing consecutive unknown pieces.
        var segments: [(range: Range<Int>, id: Int)] = []
        var end = scalars.count
        while end > 0 {
            let start = max(0, bestStart[end])
            let id = bestID[end]
            if id == unkID, let last = segments.last, last.id == id, last.range.lowerBound == end {
                segments[segments.count - 1] = (start..<last.range.upperBound, id)
            } else {
                segments.append((start..<end, id))
            }
            end = start
        }
        var tokens: [Token] = []
        for segment in segments.reversed() {
            let text = String(String.UnicodeScalarView(scalars[segment.range]))
            let offsets = word.originalRange(of: segment.range)
            if let id = ids[text] {
                tokens.append(Token(id: id, value: text, offsets: offsets))
                continue
            }
            if byteFallback {
                let byteIDs = text.utf8.map { ids["<0x\(String($0, radix: 16, uppercase: true).leftPadded(to: 2))>"] }
                if byteIDs.allSatisfy({ $0 != nil }) {
                    for id in byteIDs.compactMap({ $0 }) { tokens.append(Token(id: id, value: pieces[id].token, offsets: offsets)) }
                    continue
                }
            }
            guard let unkID else { continue }
            tokens.append(Token(id: unkID, value: text, offsets: offsets))
        }
        return tokens
    }
}

/// A trie over the scalars of vocabulary pieces, for the Viterbi search's prefix lookups.
struct PieceTrie: Sendable {
    private var children: [[Unicode.Scalar: Int]] = [[:]]
    private var values: [Int?] = [nil]

    mutating func insert(_ key: [Unicode.Scalar], id: Int) {
        var node = 0
        for scalar in key {
            if let next = children[node][scalar] {
                node = next
            } else {
                children.append([:])
                values.append(nil)
                children[node][scalar] = children.count - 1
                node = children.count - 1
            }
        }
        if values[node] == nil { values[node] = id }
    }

    /// Calls `body(end, id)` for each piece that `scalars[start..<end]` spells, shortest first.
    func forEachPrefix(of scalars: [Unicode.Scalar], from start: Int, _ body: (Int, Int) -> Void) {
        var node = 0
        var index = start
        while index < scalars.count, let next = children[node][scalars[index]] {
            node = next
            index += 1
            if let id = values[node] { body(index, id) }
        }
    }
}
