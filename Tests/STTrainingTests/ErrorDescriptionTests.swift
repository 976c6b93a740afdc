import Foundation
import SentenceTransformers
import STKernels
import STModels
import STTensor
import STTokenizers
import STTraining
import Testing

/// Every public error type reads the same through `localizedDescription` (what a log line or an alert shows) as
/// through its own message; without `LocalizedError`, Foundation would say "The operation couldn't be completed".
@Suite struct ErrorDescriptionTests {
    @Test func localizedDescriptionIsTheMessage() {
        let errors: [any Error & CustomStringConvertible] = [
            SentenceTransformerError.missingFile(path: "/models/x/modules.json"),
            IndexError.dimensionMismatch(expected: 384, actual: 768),
            HubError.unauthorized(repository: "org/private-model"),
            TokenizerError.unknownComponentType(stage: "normalizer", type: "Bogus"),
            SafeTensorsError.truncated(file: "model.safetensors", reason: "header past the end"),
            TrainingError.invalidInput("LambdaLoss: row 0 has 3 documents and 2 labels"),
            ModelError.unsupportedArchitecture(modelType: "bogus", supported: ["bert"]),
            InstructionSetError.unknown(name: "avx1024"),
            ParallelError.invalidWorkerCount(0),
        ]
        for error in errors {
            #expect(error.localizedDescription == error.description, "\(type(of: error))")
            #expect(!error.localizedDescription.contains("couldn’t be completed"), "\(type(of: error))")
        }
    }
}
