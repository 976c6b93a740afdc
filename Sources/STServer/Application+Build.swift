import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SentenceTransformers

/// Builds the embedding server: TEI's routes, the OpenAI `/v1/embeddings` route, metrics, the OpenAPI document and
/// the playground page, behind API-key and CORS middleware. Connections are cut when a client is too slow (see
/// ``ConnectionDeadlineHandler``).
///
/// - Parameters:
///   - reranker: a cross-encoder with one label, for `/rerank` (and `/predict` when there is no classifier).
///   - classifier: a cross-encoder (any number of labels) for `/predict`; with one, `POST /` and `/invocations`
///     classify, as on a TEI server of a classification model.
///
/// ```swift
/// let app = try buildApplication(configuration: ServerConfiguration(), model: try SentenceTransformer())
/// try await app.runService(shutdownTimeout: .seconds(10))   // stops on SIGTERM / SIGINT within 10 s
/// ```
public func buildApplication(configuration: ServerConfiguration, model: SentenceTransformer, reranker: CrossEncoder? = nil,
                             classifier: CrossEncoder? = nil, logger: Logger? = nil) throws -> some ApplicationProtocol {
    try buildApplication(configuration: configuration, served: ServedModel(model), reranker: reranker, classifier: classifier, logger: logger)
}

/// Builds the server of a sparse model (SPLADE): `/embed_sparse` (and `POST /`) in TEI's shape, `/embed` with
/// `normalize: false` for dense vocabulary-sized rows; the other routes as for a dense model.
public func buildApplication(configuration: ServerConfiguration, sparseModel: SparseEncoder, reranker: CrossEncoder? = nil,
                             classifier: CrossEncoder? = nil, logger: Logger? = nil) throws -> some ApplicationProtocol {
    try buildApplication(configuration: configuration, served: ServedModel(sparseModel), reranker: reranker, classifier: classifier, logger: logger)
}

func buildApplication(configuration: ServerConfiguration, served: ServedModel, reranker: CrossEncoder?,
                      classifier: CrossEncoder?, logger: Logger?) throws -> some ApplicationProtocol {
    let service = try EmbeddingService(configuration: configuration, model: served, reranker: reranker, classifier: classifier)
    let router = Hummingbird.Router(context: BasicRequestContext.self)
    if let origins = configuration.corsAllowOrigin, !origins.isEmpty {
        router.add(middleware: CORSMiddleware(
            allowOrigin: origins.contains("*") ? .all : .custom(origins.joined(separator: ", ")),
            allowHeaders: [.contentType, .authorization], allowMethods: [.get, .post, .options]))
    }
    router.add(middleware: APIKeyMiddleware(apiKey: configuration.apiKey))
    Routes.register(on: router, service: service)
    var log = logger ?? Logger(label: "sbert.serve")
    if logger == nil { log.logLevel = .info }
    let timeouts = ConnectionDeadlineHandler.Timeouts(header: TimeAmount(configuration.headerReadTimeout),
                                                      body: TimeAmount(configuration.bodyReadTimeout),
                                                      idle: TimeAmount(configuration.idleTimeout))
    return Application(
        router: router,
        server: HTTPServerBuilder { responder in TimedHTTP1Channel(responder: responder, timeouts: timeouts) },
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sbert"),
        logger: log)
}

/// `Authorization: Bearer KEY` on every route but TEI's public ones (the health checks, the metrics, the API
/// documentation; GET only, so `POST /` needs the key) and the page.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let apiKey: String?
    static var open: Set<String> { ["/", "/health", "/ping", "/metrics", "/docs", "/api-doc/openapi.json", "/openapi.json"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isPublic = request.method == .get && Self.open.contains(request.uri.path)
        guard let apiKey, !isPublic, request.method != .options else { return try await next(request, context) }
        guard request.headers[.authorization] == "Bearer \(apiKey)" else { return Routes.errorResponse(.unauthorized) }
        return try await next(request, context)
    }
}
