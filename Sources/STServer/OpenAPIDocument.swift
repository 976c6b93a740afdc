import Foundation

/// The OpenAPI 3.1 description of what the server answers, served at `/api-doc/openapi.json` (TEI's path) and
/// `/openapi.json`: every route, its request body, and every status it can answer with the schema of that answer.
/// Response schemas are closed (`additionalProperties: false`), so that the conformance suite, which checks every
/// response it receives against this document, also catches a field we send and do not describe.
enum OpenAPIDocument {
    static let json: String = {
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }()

    static var document: [String: Any] {
        [
            "openapi": "3.1.0",
            "info": ["title": "sbert serve", "version": "0.1.0",
                     "description": "Sentence embeddings, reranking and classification; text-embeddings-inference and OpenAI compatible."],
            "components": ["schemas": schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
            "paths": paths,
        ]
    }

    // MARK: Paths

    static var paths: [String: Any] {
        var paths: [String: Any] = [
            "/embed": ["post": post("Sentence embeddings (normalized unless `normalize` is false)", request: "EmbedRequest", response: "EmbedResponse")],
            "/embed_all": ["post": post("Token embeddings of each input", request: "EmbedAllRequest", response: "EmbedAllResponse")],
            "/embed_sparse": ["post": post("Sparse vectors of a SPLADE model: the nonzero entries by index (424 for another model)",
                                           request: "EmbedSparseRequest", response: "EmbedSparseResponse")],
            "/similarity": ["post": post("Cosine similarity of `source_sentence` to each of `sentences`", request: "SimilarityRequest",
                                         response: "SimilarityResponse")],
            "/rerank": ["post": post("Texts ranked against a query by the reranker (424 without one)", request: "RerankRequest",
                                     response: "RerankResponse")],
            "/predict": ["post": post("Sequence classification by the classifier, else the reranker (424 without either)",
                                      request: "PredictRequest", response: "PredictResponse")],
            "/tokenize": ["post": post("Tokens of each input, with the text and UTF-8 byte offsets each covers", request: "TokenizeRequest",
                                       response: "TokenizeResponse")],
            "/decode": ["post": post("Text of token ids", request: "DecodeRequest", response: "DecodeResponse")],
            "/info": ["get": get("Model and server settings", ["200": content("Served model info", "application/json", ref("Info"))])],
            "/metrics": ["get": get("Prometheus metrics", ["200": content("Metrics", "text/plain", ["type": "string"])])],
            "/docs": ["get": get("This document, rendered", ["200": content("Page", "text/html", ["type": "string"])])],
        ]
        for path in ["/v1/embeddings", "/embeddings"] {
            paths[path] = ["post": post("OpenAI-compatible embeddings", request: "OpenAICompatRequest", response: "OpenAICompatResponse", openAI: true)]
        }
        for path in ["/", "/invocations"] {
            let routed: [String: Any] = [
                "summary": "The server's task: /predict when a classifier is loaded, /embed_sparse for a SPLADE model, else /embed; "
                    + "/rerank for a body with `query` and `texts`, "
                    + "/similarity for `inputs` with `source_sentence`",
                "requestBody": ["required": true, "content": ["application/json": ["schema": ["anyOf": [
                    ref("EmbedRequest"), ref("EmbedSparseRequest"), ref("PredictRequest"), ref("RerankRequest"), ref("SimilarityRequest")]]]]],
                "responses": errors(openAI: false).merging(["200": content("The routed task's answer", "application/json", ["anyOf": [
                    ref("EmbedResponse"), ref("EmbedSparseResponse"), ref("PredictResponse"), ref("RerankResponse"),
                    ref("SimilarityResponse")]])]) { $1 },
            ]
            paths[path] = ["post": routed]
        }
        let health = get("Health: 200 while the model computes embeddings", ["200": ["description": "Healthy"],
                                                                             "503": content("Unhealthy", "application/json", ref("ErrorResponse"))])
        paths["/health"] = ["get": health]
        paths["/ping"] = ["get": health]
        var root = health
        root["summary"] = "Health, as /health; a browser (Accept: text/html) gets the playground page"
        // `x-body-optional`: a client that does not ask for HTML gets the health check's empty 200.
        root["responses"] = ["200": ["description": "Healthy (no body), or the page", "x-body-optional": true,
                                     "content": ["text/html": ["schema": ["type": "string"]]]],
                             "503": content("Unhealthy", "application/json", ref("ErrorResponse"))]
        paths["/"] = (paths["/"] as? [String: Any] ?? [:]).merging(["get": root]) { $1 }
        for path in ["/api-doc/openapi.json", "/openapi.json"] {
            paths[path] = ["get": get("This document", ["200": content("OpenAPI document", "application/json", ["type": "object"])])]
        }
        return paths
    }

    static func post(_ summary: String, request: String, response: String, openAI: Bool = false) -> [String: Any] {
        [
            "summary": summary,
            "requestBody": ["required": true, "content": ["application/json": ["schema": ref(request)]]],
            "responses": errors(openAI: openAI).merging(["200": content("OK", "application/json", ref(response))]) { $1 },
        ]
    }

    static func get(_ summary: String, _ responses: [String: Any]) -> [String: Any] { ["summary": summary, "responses": responses] }

    /// The errors every POST route can answer (see ``APIError``).
    static func errors(openAI: Bool) -> [String: Any] {
        let schema = ref(openAI ? "OpenAICompatErrorResponse" : "ErrorResponse")
        return [
            "400": content("Empty input, or a body that is not JSON", "application/json", schema),
            "401": content("Missing or wrong API key", "application/json", schema),
            "413": content("Validation: batch size, input length, field values; body over the payload limit", "application/json", schema),
            "415": content("Body not declared as JSON", "application/json", schema),
            "422": content("Tokenizer error, or a body of the wrong shape", "application/json", schema),
            "424": content("Backend: the model failed, or no model serves this route", "application/json", schema),
            "429": content("Overloaded: too many requests in flight", "application/json", schema),
        ]
    }

    static func content(_ description: String, _ type: String, _ schema: [String: Any]) -> [String: Any] {
        ["description": description, "content": [type: ["schema": schema]]]
    }

    // MARK: Schemas

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    static func object(_ properties: [String: Any], required: [String], closed: Bool = true) -> [String: Any] {
        var schema: [String: Any] = ["type": "object", "properties": properties, "required": required]
        if closed { schema["additionalProperties"] = false }
        return schema
    }
    static var string: [String: Any] { ["type": "string"] }
    static var number: [String: Any] { ["type": "number"] }
    static var boolean: [String: Any] { ["type": "boolean"] }
    static var count: [String: Any] { ["type": "integer", "minimum": 0] }
    static var nullableCount: [String: Any] { ["type": ["integer", "null"], "minimum": 0] }
    static var tokenIDs: [String: Any] { array(count) }

    static var schemas: [String: Any] {
        [
            "ErrorType": ["type": "string", "enum": ["Unhealthy", "Backend", "Overloaded", "Validation", "Tokenizer", "Empty", "Unauthorized"]],
            "ErrorResponse": object(["error": string, "error_type": ref("ErrorType")], required: ["error", "error_type"]),
            "OpenAICompatErrorResponse": object(["message": string, "code": count, "type": ref("ErrorType")], required: ["message", "code", "type"]),
            "TruncationDirection": ["type": "string", "enum": ["Left", "Right", "left", "right"], "default": "Right"],
            "InputType": ["anyOf": [string, tokenIDs], "description": "A text, or token ids"],
            "Input": ["anyOf": [ref("InputType"), array(ref("InputType"))], "description": "One input or a batch"],
            "EmbedRequest": object([
                "inputs": ref("Input"), "normalize": ["type": "boolean", "default": true], "truncate": ["type": ["boolean", "null"]],
                "truncation_direction": ref("TruncationDirection"), "prompt_name": ["type": ["string", "null"]],
                "dimensions": nullableCount,
            ], required: ["inputs"], closed: false),
            "EmbedAllRequest": object([
                "inputs": ref("Input"), "truncate": ["type": ["boolean", "null"]], "truncation_direction": ref("TruncationDirection"),
                "prompt_name": ["type": ["string", "null"]],
            ], required: ["inputs"], closed: false),
            "EmbedSparseRequest": object([
                "inputs": ref("Input"), "truncate": ["type": ["boolean", "null"]], "truncation_direction": ref("TruncationDirection"),
                "prompt_name": ["type": ["string", "null"]],
            ], required: ["inputs"], closed: false),
            "SimilarityRequest": object([
                "inputs": object(["source_sentence": string, "sentences": array(string)], required: ["source_sentence", "sentences"], closed: false),
                "parameters": ["anyOf": [object(["truncate": ["type": ["boolean", "null"]], "truncation_direction": ref("TruncationDirection"),
                                                 "prompt_name": ["type": ["string", "null"]]], required: [], closed: false), ["type": "null"]]],
                "truncate": ["type": ["boolean", "null"], "description": "Ours: as parameters.truncate"],
                "prompt_name": ["type": ["string", "null"], "description": "Ours: as parameters.prompt_name"],
            ], required: ["inputs"], closed: false),
            "RerankRequest": object([
                "query": string, "texts": array(string), "truncate": ["type": ["boolean", "null"]], "truncation_direction": ref("TruncationDirection"),
                "raw_scores": ["type": "boolean", "default": false], "return_text": ["type": "boolean", "default": false],
            ], required: ["query", "texts"], closed: false),
            "PredictRequest": object([
                "inputs": ["anyOf": [string, ["type": "array", "items": string, "minItems": 1, "maxItems": 2],
                                     ["type": "array", "minItems": 1, "items": ["type": "array", "items": string, "minItems": 1, "maxItems": 2]]],
                           "description": "A text, a pair of texts, or a batch of [text] and [text, text] lists"],
                "truncate": ["type": ["boolean", "null"]], "truncation_direction": ref("TruncationDirection"),
                "raw_scores": ["type": "boolean", "default": false],
            ], required: ["inputs"], closed: false),
            "TokenizeRequest": object([
                "inputs": ["anyOf": [string, array(string)]], "add_special_tokens": ["type": "boolean", "default": true],
                "prompt_name": ["type": ["string", "null"]],
            ], required: ["inputs"], closed: false),
            "DecodeRequest": object([
                "ids": ["anyOf": [tokenIDs, array(tokenIDs)]], "skip_special_tokens": ["type": "boolean", "default": true],
            ], required: ["ids"], closed: false),
            "OpenAICompatRequest": object([
                "input": ref("Input"), "model": ["type": ["string", "null"]], "user": ["type": ["string", "null"]],
                "encoding_format": ["type": "string", "enum": ["float", "base64"], "default": "float"], "dimensions": nullableCount,
                "prompt_name": ["type": ["string", "null"], "description": "Ours: a prompt name (on a Router model, also the route)"],
            ], required: ["input"], closed: false),
            "EmbedResponse": array(array(number)),
            "EmbedAllResponse": array(array(array(number))),
            "SparseValue": object(["index": count, "value": number], required: ["index", "value"]),
            "EmbedSparseResponse": array(array(ref("SparseValue"))),
            "SimilarityResponse": array(number),
            "Rank": object(["index": count, "score": number, "text": string], required: ["index", "score"]),
            "RerankResponse": array(ref("Rank")),
            "Prediction": object(["score": number, "label": string], required: ["score", "label"]),
            "PredictResponse": ["anyOf": [array(ref("Prediction")), array(array(ref("Prediction")))]],
            "SimpleToken": object([
                "id": count, "text": string, "special": boolean, "start": nullableCount, "stop": nullableCount,
            ], required: ["id", "text", "special", "start", "stop"]),
            "TokenizeResponse": array(array(ref("SimpleToken"))),
            "DecodeResponse": array(string),
            "OpenAICompatEmbedding": object([
                "object": ["const": "embedding"], "embedding": ["anyOf": [array(number), string]], "index": count,
            ], required: ["object", "embedding", "index"]),
            "OpenAICompatResponse": object([
                "object": ["const": "list"], "data": array(ref("OpenAICompatEmbedding")), "model": string,
                "usage": object(["prompt_tokens": count, "total_tokens": count], required: ["prompt_tokens", "total_tokens"]),
            ], required: ["object", "data", "model", "usage"]),
            "ClassifierModel": object([
                "id2label": ["type": "object", "additionalProperties": string], "label2id": ["type": "object", "additionalProperties": count],
            ], required: ["id2label", "label2id"]),
            "ModelType": ["oneOf": [
                object(["embedding": object(["pooling": string], required: ["pooling"])], required: ["embedding"]),
                object(["classifier": ref("ClassifierModel")], required: ["classifier"]),
                object(["reranker": ref("ClassifierModel")], required: ["reranker"]),
            ]],
            "Info": object([
                "model_id": string, "model_sha": ["type": ["string", "null"]], "model_dtype": string, "served_model_name": string,
                "model_type": ref("ModelType"), "max_concurrent_requests": count, "max_input_length": count, "max_batch_tokens": count,
                "max_batch_requests": nullableCount, "max_client_batch_size": count, "auto_truncate": boolean, "tokenization_workers": count,
                "version": string, "sha": ["type": ["string", "null"]], "docker_label": ["type": ["string", "null"]],
                "embedding_dimension": ["type": "integer", "description": "Ours"],
                "prompts": ["type": "object", "additionalProperties": string, "description": "Ours: the model's prompts"],
                "routes": ["type": "array", "items": string, "description": "Ours: a Router model's routes (`prompt_name` picks one)"],
                "kernels": ["type": "string", "description": "Ours: the kernel path (instruction set)"],
                "projection_arithmetic": ["type": "string", "description": "Ours: how projections are computed on that path"],
                "reranker": ["allOf": [ref("ClassifierModel")], "description": "Ours: the reranker's labels, when one is loaded"],
                "classifier": ["allOf": [ref("ClassifierModel")], "description": "Ours: the classifier's labels, when one is loaded"],
            ], required: ["model_id", "model_dtype", "served_model_name", "model_type", "max_concurrent_requests", "max_input_length",
                          "max_batch_tokens", "max_client_batch_size", "auto_truncate", "tokenization_workers", "version"]),
        ]
    }
}
