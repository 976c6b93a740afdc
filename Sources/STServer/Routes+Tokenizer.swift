import Foundation
import Hummingbird
import SentenceTransformers
import STServerAPI
import STTokenizers

/// `/tokenize` and `/decode`, with the embedding model's tokenizer.
extension Routes {
    /// `/tokenize`: for each input, its tokens as TEI gives them: `{"id", "text", "special", "start", "stop"}`, where
    /// a special token has its vocabulary string and null offsets, and any other token the slice of the input it
    /// covers (so an `[UNK]` or a `##` piece shows the original text) with UTF-8 byte offsets into the input (the
    /// prompt included). Never truncated.
    static func tokenize(_ body: TokenizeRequest, _ service: EmbeddingService) async throws -> Response {
        let texts = body.inputs.texts
        guard !texts.isEmpty, !texts.contains(where: \.isEmpty) else { throw APIError.empty("`inputs` cannot be empty") }
        if case .batch = body.inputs { try service.validate(batchSize: texts.count) }
        let prompt = try service.prompt(named: body.promptName)
        let route = service.defaultTokenizers
        let tokenizer = route.untruncated
        let addSpecialTokens = body.addSpecialTokens ?? route.addsSpecialTokens
        // Tokenizing and formatting megabytes of text: on the worker threads, not the cooperative ones.
        return json(try await WorkerThreads.requests.run {
            let rows = try texts.map { text in
                let input = route.doLowerCase ? (prompt + text).lowercased() : prompt + text
                let encoding = try tokenizer.encode(input, addSpecialTokens: addSpecialTokens)
                return "[" + tokenJSON(encoding, input: input).joined(separator: ",") + "]"
            }
            return "[" + rows.joined(separator: ",") + "]"
        })
    }

    /// The tokens of `encoding` (whose offsets count Unicode scalars of `input`) in TEI's shape.
    static func tokenJSON(_ encoding: Encoding, input: String) -> [String] {
        let bytes = Array(input.utf8)
        // UTF-8 offset of each scalar boundary.
        var byteOffset = [0]
        byteOffset.reserveCapacity(input.unicodeScalars.count + 1)
        for scalar in input.unicodeScalars { byteOffset.append(byteOffset[byteOffset.count - 1] + UTF8.width(scalar)) }
        return encoding.ids.indices.map { index in
            let special = encoding.specialTokensMask.indices.contains(index) && encoding.specialTokensMask[index] == 1
            let head = "{\"id\":\(encoding.ids[index]),"
            guard !special, encoding.offsets.indices.contains(index) else {
                let token = encoding.tokens.indices.contains(index) ? encoding.tokens[index] : ""
                return head + "\"text\":\(JSONNumbers.string(token)),\"special\":\(special),\"start\":null,\"stop\":null}"
            }
            let scalars = encoding.offsets[index].clamped(to: 0..<(byteOffset.count - 1))
            let start = byteOffset[scalars.lowerBound], stop = byteOffset[scalars.upperBound]
            let text = String(decoding: bytes[start..<stop], as: UTF8.self)
            return head + "\"text\":\(JSONNumbers.string(text)),\"special\":false,\"start\":\(start),\"stop\":\(stop)}"
        }
    }

    /// `/decode`: the text of each list of ids.
    static func decode(_ body: DecodeRequest, _ service: EmbeddingService) async throws -> Response {
        let tokenizer = service.defaultTokenizers.right
        let lists: [[Int]]
        switch body.ids {
        case let .single(ids):
            guard !ids.isEmpty else { throw APIError.empty("`input_ids` cannot be empty") }
            lists = [ids]
        case let .batch(batch):
            guard !batch.isEmpty else { throw APIError.empty("`ids` cannot be empty") }
            guard batch.allSatisfy({ !$0.isEmpty }) else { throw APIError.empty("`input_ids` cannot be empty") }
            try service.validate(batchSize: batch.count)
            lists = batch
        }
        // TEI reads ids as u32: anything else is a body of the wrong type.
        if let bad = lists.joined().first(where: { !(0...Int(UInt32.max)).contains($0) }) {
            throw APIError.validation("malformed request body: token id \(bad) is not a u32", status: .unprocessableContent)
        }
        let skipSpecialTokens = body.skipSpecialTokens ?? true
        // 100,000 ids take seconds to decode: on the worker threads, so that `/health` and the others go on.
        return json(try await WorkerThreads.requests.run {
            let texts = try lists.map { try tokenizer.decode($0, skipSpecialTokens: skipSpecialTokens) }
            return "[" + texts.map(JSONNumbers.string).joined(separator: ",") + "]"
        })
    }
}
