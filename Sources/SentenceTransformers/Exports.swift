// `import SentenceTransformers` alone names every type the library's public API takes, returns or throws: the errors
// of loading (`ModelError`, `TokenizerError`, `SafeTensorsError`), `Encoding` from `tokenize`, `ComputePrecision`,
// `InstructionSet`, `TokenBatch`, `Tensor`, `Parallel`. The modules stay separate targets (kernels know nothing of
// models, tokenizers nothing of either); the product re-exports them.
@_exported import STKernels
@_exported import STModels
@_exported import STTensor
@_exported import STTokenizers
