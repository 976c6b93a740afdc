import STKernels
import STModels

/// The arithmetic of a model's transformer projections: `.float32` (exact to the reference) or `.int8` (quantized at
/// load; int8 instructions where the kernel path has them). `SentenceTransformer(directory: url, precision: .int8)`.
public typealias Precision = STModels.Precision

/// The kernel path (AVX-512, AVX2, NEON, portable) chosen from the CPU or `SBERT_ISA`.
public typealias InstructionSet = STKernels.InstructionSet

/// A kernel path that cannot be used here (unknown name, or not runnable on this CPU).
public typealias InstructionSetError = STKernels.InstructionSetError
