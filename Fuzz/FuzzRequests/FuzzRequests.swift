import Foundation
import FuzzSupport
import STServerAPI

/// Fuzz target for the server's JSON request decoder: the input is a request body, decoded as every route's body
/// type with `JSONDecoder` as `Routes` does; a failure is described as the 422 message describes it. The texts of
/// a decoded body must survive the way responses echo them (`JSONNumbers.string`, e.g. `/rerank` with
/// `return_text`): written as JSON and read back, each text is unchanged.
@main
enum FuzzRequests {
    static func main() {
        FuzzDriver.main { data, count in
            FuzzRequests.test(UnsafeRawBufferPointer(start: data, count: count))
            return 0
        }
    }

    static func test(_ input: UnsafeRawBufferPointer) {
        let body = Data(input)
        if let request: EmbedRequest = decode(body) { checkEcho(request.inputs.texts + [request.promptName].compactMap { $0 }) }
        if let request: SimilarityRequest = decode(body) { checkEcho([request.inputs.sourceSentence] + request.inputs.sentences) }
        if let request: RerankRequest = decode(body) { checkEcho([request.query] + request.texts) }
        if let request: TokenizeRequest = decode(body) { checkEcho(request.inputs.texts) }
        let _: DecodeRequest? = decode(body)
        if let request: OpenAIEmbeddingsRequest = decode(body) { checkEcho(request.input.texts) }
        if let request: EmbedSparseRequest = decode(body) { checkEcho(request.inputs.texts + [request.promptName].compactMap { $0 }) }
        if let request: PredictRequest = decode(body) {
            FuzzInvariant.require(!request.inputs.sequences.isEmpty && request.inputs.sequences.allSatisfy { (1...2).contains($0.count) },
                                  "predict inputs decoded to sequences of 1 or 2 texts")
            checkEcho(request.inputs.sequences.flatMap { $0 })
        }
        for task in [RootRequest.Task.embed, .embedSparse, .predict] {
            let decoder = JSONDecoder()
            decoder.userInfo[RootRequest.taskKey] = task
            _ = try? decoder.decode(RootRequest.self, from: body)
        }
    }

    static func decode<Body: Decodable>(_ body: Data) -> Body? {
        do {
            return try JSONDecoder().decode(Body.self, from: body)
        } catch {
            FuzzInvariant.require(!RequestDecodingFailure.describe(error).isEmpty, "empty description of \(error)")
            return nil
        }
    }

    /// Each text written as a JSON string by the server's response writer reads back as the same text.
    static func checkEcho(_ texts: [String]) {
        for text in texts {
            let json = JSONNumbers.string(text)
            let back = try? JSONDecoder().decode(String.self, from: Data(json.utf8))
            FuzzInvariant.require(back == text, "JSONNumbers.string(\(text.debugDescription)) = \(json) reads back as \(back.debugDescription)")
        }
    }
}
