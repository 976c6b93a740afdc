import Foundation

/// What the model card of a trained model records: base model, data, loss, hyperparameters, evaluation results.
public struct ModelCard: Sendable {
    /// The Python class that loads the model: `"SentenceTransformer"` or `"CrossEncoder"`.
    public var modelClass: String = "SentenceTransformer"
    public var baseModel: String
    public var datasets: [String]
    public var loss: String
    public var lossParameters: [String: String]
    public var hyperparameters: [String: String]
    public var evaluation: [String: Double]
    public var trainingLog: [(step: Int, loss: Double)]

    /// The card as Markdown with the YAML front matter the Hugging Face Hub reads.
    public var markdown: String {
        let reranker = modelClass == "CrossEncoder"
        var lines = ["---", "library_name: sentence-transformers", "pipeline_tag: \(reranker ? "text-ranking" : "sentence-similarity")",
                     "tags:", "- sentence-transformers"] + (reranker ? ["- cross-encoder", "- reranker"] : ["- sentence-similarity", "- feature-extraction"])
        lines += ["- loss:\(loss)", "base_model: \(baseModel)", "---", "",
                  "# \(reranker ? "Cross Encoder" : "Sentence Transformer") fine-tuned from \(baseModel)", "",
                  "Trained with swift-sentence-transformers (`sbert train`). Load it with",
                  "`\(modelClass)(\"path/to/this/model\")` in Python or Swift.", ""]
        lines += ["## Training data", ""]
        lines += datasets.map { "- \($0)" }
        lines += ["", "## Loss", "", "`\(loss)` with:", ""]
        lines += lossParameters.sorted { $0.key < $1.key }.map { "- `\($0.key)`: \($0.value)" }
        lines += ["", "## Hyperparameters", ""]
        lines += hyperparameters.sorted { $0.key < $1.key }.map { "- `\($0.key)`: \($0.value)" }
        if !evaluation.isEmpty {
            lines += ["", "## Evaluation", "", "| metric | value |", "|---|---|"]
            lines += evaluation.sorted { $0.key < $1.key }.map { "| \($0.key) | \(String(format: "%.5f", $0.value)) |" }
        }
        if !trainingLog.isEmpty {
            lines += ["", "## Training loss", "", "| step | loss |", "|---|---|"]
            lines += trainingLog.map { "| \($0.step) | \(String(format: "%.4f", $0.loss)) |" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
