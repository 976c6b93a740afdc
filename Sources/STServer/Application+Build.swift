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
/// ```swift
/// let app = try buildApplication(configuration: ServerConfiguration(), model: try SentenceTransformer())
/// try await app.runService(shutdownTimeout: .seconds(10))   // stops on SIGTERM / SIGINT within 10 s
/// ```
public func buildApplication(configuration: ServerConfiguration, model: SentenceTransformer, reranker: CrossEncoder? = nil,
                             logger: Logger? = nil) -> some ApplicationProtocol {
    let service = EmbeddingService(configuration: configuration, model: model, reranker: reranker)
    let router = Router(context: BasicRequestContext.self)
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

/// `Authorization: Bearer KEY` on every route but the page, the health check and the OpenAPI document.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let apiKey: String?
    static var open: Set<String> { ["/", "/health", "/openapi.json"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let apiKey, !Self.open.contains(request.uri.path), request.method != .options else { return try await next(request, context) }
        guard request.headers[.authorization] == "Bearer \(apiKey)" else { return Routes.errorResponse(.unauthorized) }
        return try await next(request, context)
    }
}
