import Foundation

/// What a cross-encoder applies to its logits (`activation_fn` in `config_sentence_transformers.json`).
public enum CrossEncoderActivation: String, Sendable, CaseIterable {
    case identity, sigmoid, tanh

    /// Parses the PyTorch class path saved by sentence-transformers (`torch.nn.modules.activation.Sigmoid`).
    public init?(className: String) {
        switch className.split(separator: ".").last.map(String.init) ?? className {
        case "Identity": self = .identity
        case "Sigmoid": self = .sigmoid
        case "Tanh": self = .tanh
        default: return nil
        }
    }

    func apply(_ value: Float) -> Float {
        switch self {
        case .identity: return value
        case .sigmoid: return 1 / (1 + Foundation.exp(-value))
        case .tanh: return Foundation.tanh(value)
        }
    }
}
