import STKernels
import STModels

/// The arithmetic of a model's transformer projections: `.float32` (exact to the reference) or `.int8` (quantized at
/// load; int8 instructions where the kernel path has them). `SentenceTransformer(directory: url, compute: .int8)`. Not to be confused with
/// ``QuantizationPrecision``, the precision `encode(_:precision:)` quantizes its output to (Python's `encode(precision=)`).
public typealias ComputePrecision = STModels.ComputePrecision

/// The kernel path (AVX-512, AVX2, NEON, portable) chosen from the CPU or `SBERT_ISA`.
public typealias InstructionSet = STKernels.InstructionSet

/// A kernel path that cannot be used here (unknown name, or not runnable on this CPU).
public typealias InstructionSetError = STKernels.InstructionSetError
