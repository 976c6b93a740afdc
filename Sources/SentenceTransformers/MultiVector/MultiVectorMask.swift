import Foundation

/// The `MultiVectorMask` module: which token rows of a multi-vector model take part in scoring. ColBERT drops the
/// punctuation tokens of documents (`skiplist_words`, only for the tasks in `skiplist_tasks`), or keeps only the
/// tokens of `keep_only_token_ids`. Queries keep every row, their expansion tokens included.
///
/// A skiplist word matches a token whose vocabulary string is exactly the word (`convert_tokens_to_ids`).
public struct MultiVectorMask: SentenceModule {
    public let skiplistWords: Set<String>
    /// Tasks the skiplist applies to (`nil`: every task).
    public let skiplistTasks: Set<String>?
    public let keepOnlyTokenIDs: Set<Int>?

    public init(skiplistWords: Set<String> = [], skiplistTasks: Set<String>? = nil, keepOnlyTokenIDs: Set<Int>? = nil) {
        self.skiplistWords = skiplistWords
        self.skiplistTasks = skiplistTasks
        self.keepOnlyTokenIDs = keepOnlyTokenIDs
    }

    /// Reads `config.json` from the module's folder.
    /// - Throws: ``SentenceTransformerError`` for a missing or malformed file.
    public init(directory: URL) throws {
        struct Config: Decodable {
            var skiplistWords: [String]?
            var skiplistTasks: [String]?
            var keepOnlyTokenIDs: [Int]?
            enum CodingKeys: String, CodingKey {
                case skiplistWords = "skiplist_words", skiplistTasks = "skiplist_tasks", keepOnlyTokenIDs = "keep_only_token_ids"
            }
        }
        let config = try JSONFile.decodeIfPresent(Config.self, from: directory.appendingPathComponent("config.json"))
        self.init(skiplistWords: Set(config?.skiplistWords ?? []), skiplistTasks: config?.skiplistTasks.map(Set.init),
                  keepOnlyTokenIDs: config?.keepOnlyTokenIDs.map(Set.init))
    }

    public var output: ModuleOutput { .sameAsInput }
    public func outputDimension(input: Int) -> Int { input }
    public var parameterCount: Int { 0 }
    public var summary: String {
        "MultiVectorMask(skiplist: \(skiplistWords.count) words for \(skiplistTasks.map { $0.sorted().joined(separator: ", ") } ?? "every task"))"
    }

    /// Writes `config.json`.
    public func save(to folder: URL) throws {
        try ModelDirectory.writeJSON([
            "skiplist_words": skiplistWords.sorted(),
            "skiplist_tasks": skiplistTasks.map { $0.sorted() as Any } ?? NSNull(),
            "keep_only_token_ids": keepOnlyTokenIDs.map { $0.sorted() as Any } ?? NSNull(),
        ], to: folder.appendingPathComponent("config.json"))
    }

    public func forward(_ features: inout Features) throws {
        let applies = skiplistTasks.map { tasks in features.task.map(tasks.contains) ?? false } ?? true
        var mask = features.scoringMask ?? Array(repeating: true, count: features.tokenEmbeddings.count / max(features.tokenDimension, 1))
        for (encoding, rows) in zip(features.encodings, features.sequences) {
            for (offset, row) in rows.enumerated() where offset < encoding.ids.count {
                if let keepOnlyTokenIDs, !keepOnlyTokenIDs.contains(encoding.ids[offset]) {
                    mask[row] = false
                } else if applies, offset < encoding.tokens.count, skiplistWords.contains(encoding.tokens[offset]) {
                    mask[row] = false
                }
            }
        }
        features.scoringMask = mask
    }
}
