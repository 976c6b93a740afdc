import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SentenceTransformers
import STTokenizers

/// TEI's routes and the OpenAI embeddings route.
package enum Routes {
    static func register(on router: Router<BasicRequestContext>, service: EmbeddingService) {
        router.post("/embed") { request, context in
            try await handle(request, context, route: "embed", service: service, admit: true) { (body: EmbedRequest) in
                let rows = try await service.embed(body.inputs.texts, truncate: body.truncate, direction: body.truncationDirection,
                                                   promptName: body.promptName, dimensions: body.dimensions, normalize: body.normalize ?? true)
                return json(JSONNumbers.rows(rows.arrays))
            }
        }
        router.post("/embed_all") { request, context in
            try await handle(request, context, route: "embed_all", service: service, admit: true) { (body: EmbedRequest) in
                let prompt = try service.prompt(named: body.promptName)
                let encodings = try await service.tokenizeOnWorkers(body.inputs.texts, prompt: prompt, truncate: body.truncate,
                                                                    direction: body.truncationDirection)
                let tokens = try await service.batcher.tokenEmbeddings(encodings)
                // Up to 32 × 512 × 384 numbers: formatted off the cooperative threads.
                return json(try await WorkerThreads.requests.run { "[" + tokens.map { JSONNumbers.rows($0.arrays) }.joined(separator: ",") + "]" })
            }
        }
        router.post("/similarity") { request, context in
            try await handle(request, context, route: "similarity", service: service, admit: true) { (body: SimilarityRequest) in
                guard !body.inputs.sentences.isEmpty else { throw APIError.empty("`sentences` cannot be empty") }
                let rows = try await service.embed([body.inputs.sourceSentence] + body.inputs.sentences, truncate: body.truncate, direction: nil,
                                                   promptName: body.promptName, dimensions: nil, normalize: true)
                let scores = try SimilarityFunction.cosine.matrix(rows.rows(0..<1), rows.rows(1..<rows.count))[0]
                return json(JSONNumbers.row(scores))
            }
        }
        router.post("/rerank") { request, context in
            try await handle(request, context, route: "rerank", service: service, admit: true) { (body: RerankRequest) in
                guard let reranker = service.reranker else {
                    throw APIError(status: HTTPResponse.Status(code: 424, reasonPhrase: "Failed Dependency"), message: "no reranker is loaded (start with --reranker)", type: "Backend")
                }
                guard !body.texts.isEmpty, !body.query.isEmpty else { throw APIError.empty("`query` and `texts` cannot be empty") }
                guard body.texts.count <= service.configuration.maxClientBatchSize else {
                    throw APIError.validation("batch size \(body.texts.count) > maximum allowed batch size \(service.configuration.maxClientBatchSize)")
                }
                let allowTruncation = body.truncate ?? service.configuration.autoTruncate
                if !allowTruncation {
                    try await WorkerThreads.requests.run {
                        var plain = reranker.transformer.tokenizer
                        plain.truncation = nil
                        for text in body.texts where try plain.encode(body.query, pair: text).count > reranker.transformer.maxSeqLength {
                            throw APIError.validation("`inputs` must have less than \(reranker.transformer.maxSeqLength) tokens", status: .contentTooLarge)
                        }
                    }
                }
                let scores = try await WorkerThreads.rerank.run { try reranker.predict(body.texts.map { (body.query, $0) }, activation: body.rawScores == true ? .identity : nil).values }
                let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                let items = order.map { index in
                    var item = "{\"index\":\(index),\"score\":\(JSONNumbers.number(scores[index]))"
                    if body.returnText == true { item += ",\"text\":\(JSONNumbers.string(body.texts[index]))" }
                    return item + "}"
                }
                return json("[" + items.joined(separator: ",") + "]")
            }
        }
        router.post("/tokenize") { request, context in
            try await handle(request, context, route: "tokenize", service: service, admit: true) { (body: TokenizeRequest) in
                let prompt = try service.prompt(named: body.promptName)
                // Tokenizing and formatting megabytes of text: on the worker threads, not the cooperative ones.
                return json(try await WorkerThreads.requests.run {
                    let encodings = try service.tokenize(body.inputs.texts, prompt: prompt, truncate: true, addSpecialTokens: body.addSpecialTokens ?? true)
                    let tokenizer = service.model.transformer.tokenizer
                    let rows = encodings.map { encoding in
                        "[" + encoding.ids.indices.map { i in
                            let offsets = encoding.offsets[i]
                            return "{\"id\":\(encoding.ids[i]),\"text\":\(JSONNumbers.string(tokenizer.token(forID: encoding.ids[i]) ?? "")),"
                                + "\"special\":\(encoding.specialTokensMask[i] == 1),\"start\":\(offsets.lowerBound),\"stop\":\(offsets.upperBound)}"
                        }.joined(separator: ",") + "]"
                    }
                    return "[" + rows.joined(separator: ",") + "]"
                })
            }
        }
        router.post("/decode") { request, context in
            try await handle(request, context, route: "decode", service: service, admit: true) { (body: DecodeRequest) in
                let tokenizer = service.model.transformer.tokenizer
                let lists: [[Int]]
                switch body.ids {
                case let .single(ids): lists = [ids]
                case let .batch(batch): lists = batch
                }
                guard !lists.isEmpty, lists.allSatisfy({ !$0.isEmpty }) else { throw APIError.empty("`ids` cannot be empty") }
                let skipSpecialTokens = body.skipSpecialTokens ?? true
                // 100,000 ids take seconds to decode: on the worker threads, so that `/health` and the others go on.
                return json(try await WorkerThreads.requests.run {
                    let texts = try lists.map { try tokenizer.decode($0, skipSpecialTokens: skipSpecialTokens) }
                    return "[" + texts.map(JSONNumbers.string).joined(separator: ",") + "]"
                })
            }
        }
        router.post("/v1/embeddings") { request, context in
            try await handle(request, context, route: "openai_embeddings", service: service, admit: true) { (body: OpenAIEmbeddingsRequest) in
                let rows: Embeddings
                var promptTokens = 0
                switch body.input {
                case let .texts(texts):
                    rows = try await service.embed(texts, truncate: nil, direction: nil, promptName: nil, dimensions: body.dimensions, normalize: true)
                    promptTokens = try await service.tokenizeOnWorkers(texts, truncate: true).reduce(0) { $0 + $1.count }
                case let .tokens(lists):
                    guard !lists.isEmpty, lists.allSatisfy({ !$0.isEmpty }) else { throw APIError.empty("`input` cannot be empty") }
                    guard lists.count <= service.configuration.maxClientBatchSize else {
                        throw APIError.validation("batch size \(lists.count) > maximum allowed batch size \(service.configuration.maxClientBatchSize)")
                    }
                    guard lists.allSatisfy({ $0.count <= service.maxInputLength }) else {
                        throw APIError.validation("`input` must have less than \(service.maxInputLength) tokens", status: .contentTooLarge)
                    }
                    try service.validate(dimensions: body.dimensions)
                    // The embedding table is what the ids index (the tokenizer may know more ids than it has rows).
                    let vocabulary = service.model.transformer.encoder.vocabSize
                    guard lists.allSatisfy({ $0.allSatisfy { (0..<max(vocabulary, 1)).contains($0) } }) else {
                        throw APIError.validation("token ids must be in 0..<\(vocabulary), the model's embedding table")
                    }
                    let encodings = lists.map { Encoding(ids: $0, typeIDs: Array(repeating: 0, count: $0.count)) }
                    var embedded = try await service.batcher.embed(encodings, promptLengths: Array(repeating: 0, count: lists.count))
                    if let dimensions = body.dimensions { embedded = embedded.truncated(to: dimensions) }
                    rows = embedded.normalized()
                    promptTokens = lists.reduce(0) { $0 + $1.count }
                }
                let base64 = body.encodingFormat == "base64"
                let data = rows.enumerated().map { index, row -> String in
                    let embedding: String
                    if base64 {
                        var bytes = Data(capacity: row.count * 4)
                        for value in row { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                        embedding = "\"\(bytes.base64EncodedString())\""
                    } else {
                        embedding = JSONNumbers.row(row)
                    }
                    return "{\"object\":\"embedding\",\"embedding\":\(embedding),\"index\":\(index)}"
                }
                let modelName = JSONNumbers.string(body.model ?? service.configuration.modelID)
                return json("{\"object\":\"list\",\"data\":[\(data.joined(separator: ","))],\"model\":\(modelName),"
                            + "\"usage\":{\"prompt_tokens\":\(promptTokens),\"total_tokens\":\(promptTokens)}}")
            }
        }
        router.get("/health") { _, _ in Response(status: .ok) }
        router.get("/info") { _, _ in json(Info.document(service)) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: service.metrics.text)))
        }
        router.get("/openapi.json") { _, _ in json(OpenAPIDocument.json) }
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: Playground.html)))
        }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func errorResponse(_ error: APIError) -> Response {
        Response(status: error.status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: error.body)))
    }

    /// Admission, body limit, JSON decoding, metrics and error mapping around one route's work.
    static func handle<Body: Decodable & Sendable>(_ request: Request, _ context: BasicRequestContext, route: String, service: EmbeddingService,
                                        admit: Bool, work: (Body) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now()
        func finish(_ response: Response) -> Response {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            service.metrics.recordRequest(route: route, seconds: seconds, success: response.status.code < 400)
            context.logger.info("\(route) \(response.status.code) \(String(format: "%.1f", seconds * 1000)) ms")
            return response
        }
        // Before admission, as TEI's extractor runs before its handler takes a permit.
        guard request.hasJSONContentType else { return finish(errorResponse(.unsupportedMediaType)) }
        if admit {
            guard service.limiter.acquire() else { return finish(errorResponse(.overloaded)) }
        }
        defer { if admit { service.limiter.release() } }
        do {
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: service.configuration.payloadLimit)
            } catch is NIOTooManyBytesError {
                return finish(errorResponse(.validation("request body larger than the payload limit (\(service.configuration.payloadLimit) bytes)", status: .contentTooLarge)))
            } catch {
                // The connection ended or was cut (body read timeout) mid-body: nobody will read this answer, but the
                // log and the metrics should not call it too large.
                return finish(errorResponse(.validation("request body incomplete", status: .badRequest)))
            }
            let body: Body
            do {
                // Up to the payload limit of JSON: decoded on the worker threads, not the cooperative ones.
                body = try await WorkerThreads.requests.run { try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView)) }
            } catch {
                return finish(errorResponse(.validation("malformed request body: \(Self.describe(error))")))
            }
            return finish(try await work(body))
        } catch let error as APIError {
            return finish(errorResponse(error))
        } catch let error as TokenizerError {
            return finish(errorResponse(APIError(status: .unprocessableContent, message: error.description, type: "Tokenizer")))
        } catch {
            return finish(errorResponse(APIError(status: .unprocessableContent, message: "\(error)", type: "Backend")))
        }
    }

    package static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "not JSON" }
        switch decoding {
        case let .keyNotFound(key, _): return "missing field `\(key.stringValue)`"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "wrong type at `\(context.codingPath.map(\.stringValue).joined(separator: "."))`"
        case .dataCorrupted: return "not valid JSON"
        @unknown default: return "invalid"
        }
    }
}

/// `/info`, in the shape TEI gives it.
enum Info {
    static func document(_ service: EmbeddingService) -> String {
        let configuration = service.configuration
        var object: [String: Any] = [
            "model_id": configuration.modelID, "model_dtype": configuration.modelDtype,
            "model_type": service.reranker == nil ? ["embedding": ["pooling": service.model.modules.first?.summary ?? ""]] : ["reranker": ["id2label": service.reranker?.labels ?? []]],
            "max_concurrent_requests": configuration.maxConcurrentRequests, "max_input_length": service.maxInputLength,
            "max_batch_tokens": configuration.maxBatchTokens, "max_client_batch_size": configuration.maxClientBatchSize,
            "auto_truncate": configuration.autoTruncate, "tokenization_workers": 1, "version": "0.1.0",
            "embedding_dimension": service.model.embeddingDimension,
            "prompts": service.model.configuration.prompts,
            // Ours, beside TEI's fields: the kernel path and how the projections are computed on it.
            "kernels": InstructionSet.active.rawValue,
            "projection_arithmetic": (configuration.modelDtype == "int8" ? Precision.int8 : .float32).arithmetic(),
        ]
        if let requests = configuration.maxBatchRequests { object["max_batch_requests"] = requests }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
