import ArgumentParser

/// `--shard I/N`: this process ingests the documents whose id hashes to shard I of N, so that N processes given
/// the same input write each document exactly once between them. The hash (FNV-1a, 64 bits, over the id's UTF-8
/// bytes) depends on the id alone, not on the order of the input or the machine.
struct ShardSpec: ExpressibleByArgument, Equatable {
    let index: Int
    let count: Int

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    init?(argument: String) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0, (0..<count).contains(index) else { return nil }
        self.init(index: index, count: count)
    }

    /// Whether the document with `id` belongs to this shard.
    func contains(_ id: String) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(count)) == index
    }
}
