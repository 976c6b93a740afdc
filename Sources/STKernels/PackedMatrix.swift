import CSTKernels

/// A weight matrix `W` `[outFeatures, inFeatures]` (as `torch.nn.Linear` stores it) packed once into panels of 16
/// output columns, k-major: `y = x·Wᵀ + b` then streams every weight exactly once with no per-call packing, which is
/// what bounds the cost of short inputs (a few tokens), where BLAS spends its time packing the weights for each call.
///
/// ```swift
/// let packed = PackedMatrix(weight: w, outFeatures: 1152, inFeatures: 384)
/// packed.multiply(input: x, rows: 12, bias: b, output: y)
/// ```
public final class PackedMatrix: @unchecked Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    let panels: UnsafeMutablePointer<Float>
    let panelCount: Int

    public init(weight: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) {
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        panelCount = (outFeatures + Int(ST_PACKED_PANEL) - 1) / Int(ST_PACKED_PANEL)
        let count = max(1, panelCount * Int(ST_PACKED_PANEL) * inFeatures)
        panels = .allocate(capacity: count)
        st_pack_weights_f32(weight, outFeatures, inFeatures, inFeatures, panels)
    }

    deinit { panels.deallocate() }

    /// The bytes the packed copy holds.
    public var byteCount: Int { panelCount * Int(ST_PACKED_PANEL) * inFeatures * MemoryLayout<Float>.size }

    /// `output[rows, out] = input[rows, in] · Wᵀ + bias` (plus `output`'s content when `accumulate`). Pairs of panels
    /// are split across the workers; every output element is one kernel's sum in a fixed order, so the result does not
    /// depend on the number of workers.
    public func multiply(input: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?,
                         output: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        guard rows > 0 else { return }
        let pairs = (panelCount + 1) / 2
        // Below a few rows the weights dominate and both workers stream half of them; the chunk size keeps each worker's
        // share of the multiply-adds worth a thread hand-off.
        let minimumPairs = max(1, 4096 / max(1, rows * inFeatures / 16))
        Parallel.forEachChunk(count: pairs, minimumChunk: min(pairs, minimumPairs)) { range in
            st_packed_gemm_f32(input, rows, inFeatures, inFeatures, panels, outFeatures, range.lowerBound * 2,
                               min(panelCount, range.upperBound * 2), bias, output, outFeatures, accumulate ? 1 : 0)
        }
    }
}
