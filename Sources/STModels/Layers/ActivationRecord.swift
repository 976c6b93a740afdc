/// The buffers one layer's forward pass writes, by role. Inference passes one record to every layer, so each role's
/// buffer is reused (allocated once, for the largest group); a training pass gives each layer its own record and
/// keeps it, so that the layer's backward pass reads what its forward wrote (llm.c's one forward, with the caches
/// kept only when training).
public final class ActivationRecord: @unchecked Sendable {
    /// A buffer's role inside a layer.
    public enum Role: Hashable, Sendable {
        case embeddingSum, embeddingStatistics, embeddingDropout
        case attentionInput, attentionInputStatistics
        case qkv, qkvRotated, queryStatistics, keyStatistics
        case probabilities, probabilityDropout
        case context, attentionBranch, attentionBranchNormed, attentionBranchStatistics, attentionDropout
        case attentionSum, attentionSumNormed, attentionSumStatistics
        case feedForwardInput, feedForwardInputStatistics
        case up, activated
        case feedForwardBranch, feedForwardBranchNormed, feedForwardBranchStatistics, feedForwardDropout
        case feedForwardSum, feedForwardSumStatistics
        case finalNormStatistics
    }

    /// Whether the buffers are kept for a backward pass (training).
    public let keeps: Bool
    private var buffers: [Role: FloatBuffer] = [:]

    public init(keeps: Bool) { self.keeps = keeps }

    /// The buffer for `role`, at least `count` floats; every layer writes a buffer before it reads it, so its content
    /// on return is undefined (training zeroes new buffers anyway, so that a pass is reproducible bit for bit).
    func buffer(_ role: Role, _ count: Int) -> UnsafeMutablePointer<Float> {
        if let existing = buffers[role], existing.count >= count { return existing.pointer }
        let buffer = FloatBuffer(count, zeroed: keeps)
        buffers[role] = buffer
        return buffer.pointer
    }

    /// A buffer a forward pass wrote.
    subscript(role: Role) -> UnsafeMutablePointer<Float>? { buffers[role]?.pointer }
}
