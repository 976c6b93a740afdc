import Foundation
import SentenceTransformers

/// `/info`, in the shape TEI gives it (`model_type` is the embedding model's, with TEI's pooling names), followed by
/// ours: the embedding dimension, the prompts, the kernel path, and the cross-encoders beside the embedding model.
enum Info {
    static func document(_ service: EmbeddingService) -> String {
        let configuration = service.configuration
        var object: [String: Any] = [
            "model_id": configuration.modelID, "model_sha": NSNull(), "model_dtype": configuration.modelDtype,
            "served_model_name": configuration.servedName,
            "model_type": ["embedding": ["pooling": service.model.poolingName]],
            "max_concurrent_requests": configuration.maxConcurrentRequests, "max_input_length": service.maxInputLength,
            "max_batch_tokens": configuration.maxBatchTokens, "max_batch_requests": configuration.maxBatchRequests.map { $0 as Any } ?? NSNull(),
            "max_client_batch_size": configuration.maxClientBatchSize,
            "auto_truncate": configuration.autoTruncate, "tokenization_workers": WorkerThreads.requests.count, "version": "0.1.0",
            "sha": NSNull(), "docker_label": NSNull(),
            "embedding_dimension": service.model.embeddingDimension,
            "prompts": service.model.configuration.prompts,
            "routes": (service.model.pipeline.modules.first as? Router)?.routeNames ?? [],
            "kernels": InstructionSet.active.rawValue,
            "projection_arithmetic": (configuration.modelDtype == "int8" ? ComputePrecision.int8 : .float32).arithmetic(),
        ]
        if let reranker = service.reranker { object["reranker"] = labels(reranker) }
        if let classifier = service.classifier { object["classifier"] = labels(classifier) }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// TEI's `ClassifierModel`: `id2label` and `label2id`.
    static func labels(_ model: CrossEncoder) -> [String: Any] {
        let names = model.labels.enumerated().map { $1.isEmpty ? "LABEL_\($0)" : $1 }
        return ["id2label": Dictionary(uniqueKeysWithValues: names.enumerated().map { (String($0), $1) }),
                "label2id": Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })]
    }
}
