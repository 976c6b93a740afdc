import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SentenceTransformers
import STServerAPI
import STTokenizers

/// TEI's routes (text-embeddings-inference 1.9: `/embed`, `/embed_all`, `/similarity`, `/rerank`, `/predict`,
/// `/tokenize`, `/decode`, `POST /` and `/invocations`, `/health`, `/ping`, `/info`, `/metrics`, `/docs`,
/// `/api-doc/openapi.json`), the OpenAI embeddings route (`/v1/embeddings`, `/embeddings`) and ours (the playground
/// at `GET /` for browsers, `/openapi.json`). The work of each route is in `Routes+Embedding`, `Routes+CrossEncoder`
/// and `Routes+Tokenizer`.
package enum Routes {
    static func register(on router: Hummingbird.Router<BasicRequestContext>, service: EmbeddingService) {
        router.post("/embed") { request, context in
            try await handle(request, context, route: "embed", service: service) { (body: EmbedRequest) in try await embed(body, service) }
        }
        router.post("/embed_sparse") { request, context in
            try await handle(request, context, route: "embed_sparse", service: service) { (body: EmbedSparseRequest) in try await embedSparse(body, service) }
        }
        router.post("/embed_all") { request, context in
            try await handle(request, context, route: "embed_all", service: service) { (body: EmbedRequest) in try await embedAll(body, service) }
        }
        router.post("/similarity") { request, context in
            try await handle(request, context, route: "similarity", service: service) { (body: SimilarityRequest) in try await similarity(body, service) }
        }
        router.post("/rerank") { request, context in
            try await handle(request, context, route: "rerank", service: service) { (body: RerankRequest) in try await rerank(body, service) }
        }
        router.post("/predict") { request, context in
            try await handle(request, context, route: "predict", service: service) { (body: PredictRequest) in try await predict(body, service) }
        }
        router.post("/tokenize") { request, context in
            try await handle(request, context, route: "tokenize", service: service) { (body: TokenizeRequest) in try await tokenize(body, service) }
        }
        router.post("/decode") { request, context in
            try await handle(request, context, route: "decode", service: service) { (body: DecodeRequest) in try await decode(body, service) }
        }
        for path in ["/v1/embeddings", "/embeddings"] {
            router.post(RouterPath(path)) { request, context in
                try await handle(request, context, route: "openai_embeddings", service: service, openAI: true) { (body: OpenAIEmbeddingsRequest) in
                    try await openAIEmbeddings(body, service)
                }
            }
        }
        // TEI's default route (and SageMaker's): the model's task, or the task the body's shape names.
        for path in ["/", "/invocations"] {
            router.post(RouterPath(path)) { request, context in
                try await handle(request, context, route: "root", service: service, task: service.rootTask) { (body: RootRequest) in
                    switch body {
                    case let .rerank(body): try await rerank(body, service)
                    case let .similarity(body): try await similarity(body, service)
                    case let .predict(body): try await predict(body, service)
                    case let .embed(body): try await embed(body, service)
                    case let .embedSparse(body): try await embedSparse(body, service)
                    }
                }
            }
        }
        for path in ["/health", "/ping"] {
            router.get(RouterPath(path)) { _, _ in await health(service) }
        }
        // A browser asking for a page gets the playground; any other client gets the health check, as on TEI.
        router.get("/") { request, _ in
            guard request.headers[.accept]?.contains("text/html") == true else { return await health(service) }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: Playground.html)))
        }
        router.get("/info") { _, _ in json(Info.document(service)) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: service.metrics.text)))
        }
        for path in ["/api-doc/openapi.json", "/openapi.json"] {
            router.get(RouterPath(path)) { _, _ in json(OpenAPIDocument.json) }
        }
        router.get("/docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DocsPage.html)))
        }
    }

    static func health(_ service: EmbeddingService) async -> Response {
        await service.checkHealth() ? Response(status: .ok) : errorResponse(.unhealthy)
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func errorResponse(_ error: APIError, openAI: Bool = false) -> Response {
        Response(status: error.status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: openAI ? error.openAIBody : error.body)))
    }

    /// Admission, body limit, JSON decoding, metrics and error mapping around one route's work. `openAI` answers
    /// errors in the OpenAI shape; `task` is handed to the decoder for ``RootRequest``.
    static func handle<Body: Decodable & Sendable>(_ request: Request, _ context: BasicRequestContext, route: String, service: EmbeddingService,
                                                   openAI: Bool = false, task: RootRequest.Task? = nil,
                                                   work: (Body) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now()
        func finish(_ response: Response) -> Response {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            service.metrics.recordRequest(route: route, seconds: seconds, success: response.status.code < 400)
            context.logger.info("\(route) \(response.status.code) \(String(format: "%.1f", seconds * 1000)) ms")
            return response
        }
        func failure(_ error: APIError) -> Response { finish(errorResponse(error, openAI: openAI)) }
        // Before admission, as TEI's extractor runs before its handler takes a permit.
        guard request.hasJSONContentType else { return failure(.unsupportedMediaType) }
        guard service.limiter.acquire() else { return failure(.overloaded) }
        defer { service.limiter.release() }
        // A declared length over the limit is refused before any of the body is read (the connection then closes).
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > service.configuration.payloadLimit {
            return failure(.validation("request body larger than the payload limit (\(service.configuration.payloadLimit) bytes)"))
        }
        do {
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: service.configuration.payloadLimit)
            } catch is NIOTooManyBytesError {
                return failure(.validation("request body larger than the payload limit (\(service.configuration.payloadLimit) bytes)"))
            } catch {
                // The connection ended or was cut (body read timeout) mid-body: nobody will read this answer, but the
                // log and the metrics should not call it too large.
                return failure(.validation("request body incomplete", status: .badRequest))
            }
            let body: Body
            do {
                // Up to the payload limit of JSON: decoded on the worker threads, not the cooperative ones.
                body = try await WorkerThreads.requests.run {
                    // Bytes that are not UTF-8 are not JSON text (RFC 8259 §8.1): a syntax error, 400, as in TEI.
                    guard String(validating: buffer.readableBytesView, as: UTF8.self) != nil else {
                        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not UTF-8"))
                    }
                    let decoder = JSONDecoder()
                    if let task { decoder.userInfo[RootRequest.taskKey] = task }
                    return try decoder.decode(Body.self, from: Data(buffer.readableBytesView))
                }
            } catch {
                // As axum's JSON extractor: 400 for text that is not JSON, 422 for JSON of the wrong shape.
                return failure(.validation("malformed request body: \(RequestDecodingFailure.describe(error))",
                                           status: RequestDecodingFailure.isSyntaxError(error) ? .badRequest : .unprocessableContent))
            }
            return finish(try await work(body))
        } catch let error as APIError {
            return failure(error)
        } catch let error as TokenizerError {
            return failure(.tokenizer(error.description))
        } catch {
            return failure(.backend("\(error)"))
        }
    }
}
