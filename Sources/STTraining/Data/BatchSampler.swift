/// How examples are grouped into batches, as sentence-transformers' `BatchSamplers`.
public enum BatchSampling: String, Sendable, Codable, CaseIterable {
    /// Shuffled, then cut into consecutive batches (the last one may be smaller).
    case batchSampler = "batch_sampler"
    /// Shuffled, and no two examples of a batch share a text: what in-batch-negative losses need, since a duplicate
    /// would be a false negative.
    case noDuplicates = "no_duplicates"
}

/// How batches of several datasets are interleaved, as sentence-transformers' `MultiDatasetBatchSamplers`.
public enum MultiDatasetSampling: String, Sendable, Codable, CaseIterable {
    /// One batch from each dataset in turn, until the smallest runs out.
    case roundRobin = "round_robin"
    /// Every batch of every dataset once per epoch, in a seeded random order (larger datasets come up more often).
    case proportional
}

/// One batch: which dataset, and which rows of it.
public struct PlannedBatch: Sendable, Equatable, Codable {
    public var dataset: Int
    public var rows: [Int]
}

/// The batches of one epoch, computed only from the seed, the epoch and the data, so that a resumed run finds the same
/// batches at the same positions.
public struct BatchSampler: Sendable {
    public var batchSize: Int
    public var sampling: BatchSampling
    public var multiDataset: MultiDatasetSampling
    public var seed: UInt64

    public init(batchSize: Int, sampling: BatchSampling = .batchSampler, multiDataset: MultiDatasetSampling = .proportional,
                seed: UInt64 = 42) {
        self.batchSize = max(1, batchSize)
        self.sampling = sampling
        self.multiDataset = multiDataset
        self.seed = seed
    }

    /// The batches of `epoch` over `datasets`.
    public func plan(epoch: Int, datasets: [any TrainingDataSource]) throws -> [PlannedBatch] {
        var random = TrainingRandom(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
        var perDataset: [[PlannedBatch]] = []
        for (index, dataset) in datasets.enumerated() {
            var order = Array(0..<dataset.count)
            order.shuffle(using: &random)
            let batches = sampling == .noDuplicates ? try withoutDuplicates(order, dataset) : stride(from: 0, to: order.count, by: batchSize).map {
                Array(order[$0..<min($0 + batchSize, order.count)])
            }
            perDataset.append(batches.map { PlannedBatch(dataset: index, rows: $0) })
        }
        if perDataset.count == 1 { return perDataset[0] }
        switch multiDataset {
        case .roundRobin:
            let rounds = perDataset.map(\.count).min() ?? 0
            return (0..<rounds).flatMap { round in perDataset.map { $0[round] } }
        case .proportional:
            var all = perDataset.flatMap { $0 }
            all.shuffle(using: &random)
            return all
        }
    }

    /// Fills each batch in shuffled order, passing over an example whose texts are already in the batch; passed-over
    /// examples wait for a later batch.
    private func withoutDuplicates(_ order: [Int], _ dataset: any TrainingDataSource) throws -> [[Int]] {
        var remaining = order
        var batches: [[Int]] = []
        while !remaining.isEmpty {
            var seen = Set<String>()
            var batch: [Int] = []
            var taken = Set<Int>()
            for index in remaining {
                let texts = try dataset.example(at: index).texts
                if texts.contains(where: seen.contains) { continue }
                batch.append(index)
                taken.insert(index)
                seen.formUnion(texts)
                if batch.count == batchSize { break }
            }
            batches.append(batch)
            remaining.removeAll(where: taken.contains)
        }
        return batches
    }
}
