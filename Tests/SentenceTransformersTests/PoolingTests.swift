import Foundation
import SentenceTransformers
import Testing

/// Pooling modes on hand-computed cases, and both config formats with the sentence-transformers 6.2 defaults.
@Suite struct PoolingTests {
    /// Two sequences packed together: 3 tokens then 2 tokens, dimension 2.
    static func features(promptLength: Int = 0) -> Features {
        Features(
            tokenEmbeddings: [1, -4, 3, -2, 5, -6, /* second */ -1, -3, -5, -7],
            tokenDimension: 2, sequences: [0..<3, 3..<5],
            promptLengths: [promptLength, promptLength])
    }

    static func pool(_ modes: [PoolingMode], includePrompt: Bool = true, promptLength: Int = 0) throws -> [[Float]] {
        var features = features(promptLength: promptLength)
        try Pooling(configuration: PoolingConfiguration(embeddingDimension: 2, poolingModes: modes, includePrompt: includePrompt)).forward(&features)
        let dimension = features.sentenceDimension
        return (0..<2).map { Array(features.sentenceEmbeddings[($0 * dimension)..<(($0 + 1) * dimension)]) }
    }

    @Test func eachModeByHand() throws {
        #expect(try Self.pool([.cls]) == [[1, -4], [-1, -3]])
        #expect(try Self.pool([.mean]) == [[3, -4], [-3, -5]])
        #expect(try Self.pool([.max]) == [[5, -2], [-1, -3]])
        #expect(try Self.pool([.lasttoken]) == [[5, -6], [-5, -7]])
        let sqrt3 = Float(3).squareRoot(), sqrt2 = Float(2).squareRoot()
        let meanSqrt = try Self.pool([.meanSqrtLenTokens])
        #expect(abs(meanSqrt[0][0] - 9 / sqrt3) < 1e-6 && abs(meanSqrt[0][1] + 12 / sqrt3) < 1e-6)
        #expect(abs(meanSqrt[1][0] + 6 / sqrt2) < 1e-6 && abs(meanSqrt[1][1] + 10 / sqrt2) < 1e-6)
        // Weights 1, 2, 3 (and 1, 2): (1·1 + 2·3 + 3·5) / 6 = 22/6.
        let weighted = try Self.pool([.weightedmean])
        #expect(abs(weighted[0][0] - 22.0 / 6) < 1e-6 && abs(weighted[0][1] - (-4 - 4 - 18) / 6.0) < 1e-6)
        #expect(abs(weighted[1][0] - (-1 - 10) / 3.0) < 1e-6 && abs(weighted[1][1] - (-3 - 14) / 3.0) < 1e-6)
    }

    @Test func maxPoolingOfAllNegativeValuesIsNotZeroedByPadding() throws {
        // A model that multiplied by a padding mask would report 0 here for the shorter sequence.
        #expect(try Self.pool([.max])[1] == [-1, -3])
    }

    @Test func severalModesConcatenateInTheGivenOrder() throws {
        #expect(try Self.pool([.lasttoken, .cls]) == [[5, -6, 1, -4], [-5, -7, -1, -3]])
    }

    @Test func promptTokensAreLeftOutWhenIncludePromptIsFalse() throws {
        #expect(try Self.pool([.mean], includePrompt: false, promptLength: 1) == [[4, -4], [-5, -7]])
        #expect(try Self.pool([.cls], includePrompt: false, promptLength: 1) == [[1, -4], [-1, -3]])
        #expect(try Self.pool([.mean], includePrompt: true, promptLength: 1) == [[3, -4], [-3, -5]])
    }

    static func decode(_ json: String) throws -> PoolingConfiguration {
        try JSONDecoder().decode(PoolingConfiguration.self, from: Data(json.utf8))
    }

    @Test func v6Format() throws {
        let single = try Self.decode(#"{"embedding_dimension": 64, "pooling_mode": "weightedmean", "include_prompt": false}"#)
        #expect(single == PoolingConfiguration(embeddingDimension: 64, poolingModes: [.weightedmean], includePrompt: false))
        let list = try Self.decode(#"{"embedding_dimension": 64, "pooling_mode": ["lasttoken", "mean_sqrt_len_tokens"]}"#)
        #expect(list.poolingModes == [.lasttoken, .meanSqrtLenTokens] && list.includePrompt)
        #expect(throws: DecodingError.self) { try Self.decode(#"{"pooling_mode": "median"}"#) }
    }

    @Test func legacyFormatDefaults() throws {
        let allMiniLM = try Self.decode(#"""
            {"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true,
             "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}
            """#)
        #expect(allMiniLM == PoolingConfiguration(embeddingDimension: 384, poolingModes: [.mean]))
        // A missing key counts as false (6.2), and the fixed order is cls, max, mean, mean_sqrt, weightedmean, lasttoken.
        let missingMean = try Self.decode(#"{"pooling_mode_mean_sqrt_len_tokens": true, "pooling_mode_max_tokens": true}"#)
        #expect(missingMean.poolingModes == [.max, .meanSqrtLenTokens])
        // No mode set: mean.
        #expect(try Self.decode(#"{"pooling_mode_cls_token": false}"#).poolingModes == [.mean])
        #expect(try Self.decode(#"{}"#).poolingModes == [.mean])
        let everything = try Self.decode(#"""
            {"pooling_mode_lasttoken": true, "pooling_mode_weightedmean_tokens": true, "pooling_mode_cls_token": true}
            """#)
        #expect(everything.poolingModes == [.cls, .weightedmean, .lasttoken])
    }

    @Test func normalizeMakesUnitVectors() throws {
        var features = Self.features()
        try Pooling(configuration: PoolingConfiguration(embeddingDimension: 2, poolingModes: [.mean])).forward(&features)
        try Normalize().forward(&features)
        #expect(abs(features.sentenceEmbeddings[0] - 0.6) < 1e-6 && abs(features.sentenceEmbeddings[1] + 0.8) < 1e-6)
    }
}
