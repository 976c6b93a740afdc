import Foundation

/// What the model card of a trained model records: base model, data, loss, hyperparameters, evaluation results.
public struct ModelCard: Sendable {
    public var baseModel: String
    public var datasets: [String]
    public var loss: String
    public var lossParameters: [String: String]
    public var hyperparameters: [String: String]
    public var evaluation: [String: Double]
    public var trainingLog: [(step: Int, loss: Double)]

    /// The card as Markdown with the YAML front matter the Hugging Face Hub reads.
    public var markdown: String {
        var lines = ["---", "library_name: sentence-transformers", "pipeline_tag: sentence-similarity",
                     "tags:", "- sentence-transformers", "- sentence-similarity", "- feature-extraction",
                     "- loss:\(loss)", "base_model: \(baseModel)", "---", "",
                     "# Sentence Transformer fine-tuned from \(baseModel)", "",
                     "Trained with swift-sentence-transformers (`sbert train`). Load it with",
                     "`SentenceTransformer(\"path/to/this/model\")` in Python or Swift.", "",
                     "## Training data", ""]
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
