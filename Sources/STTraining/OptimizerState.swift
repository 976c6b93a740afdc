import Foundation

/// The optimizer's moments (and the values of parameters the model files do not hold, such as SoftmaxLoss's
/// classifier) in one binary file: a JSON header line, then little-endian `Float32` arrays.
enum OptimizerState {
    struct Header: Codable {
        var stepCount: Int
        var sets: [Int]   // parameter count of each set
        var includesValues: [Bool]
    }

    static func write(_ optimizers: [AdamW], includeValues: [Bool], to url: URL) throws {
        let header = Header(stepCount: optimizers.first?.stepCount ?? 0, sets: optimizers.map(\.parameters.count), includesValues: includeValues)
        var data = try JSONEncoder().encode(header)
        data.append(UInt8(ascii: "\n"))
        for (optimizer, values) in zip(optimizers, includeValues) {
            let count = optimizer.parameters.count
            var arrays = [optimizer.firstMoment, optimizer.secondMoment]
            if values { arrays.append(optimizer.parameters.values) }
            for pointer in arrays {
                data.append(UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: count * 4))
            }
        }
        try data.write(to: url, options: .atomic)
    }

    static func read(into optimizers: [AdamW], from url: URL) throws {
        guard let data = try? Data(contentsOf: url), let newline = data.firstIndex(of: UInt8(ascii: "\n")) else {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: "missing or unreadable optimizer state")
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: data[..<newline]),
              header.sets == optimizers.map(\.parameters.count), header.includesValues.count == optimizers.count else {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: "the optimizer state does not match the model's parameters")
        }
        var offset = newline + 1
        let expected = zip(header.sets, header.includesValues).reduce(0) { $0 + $1.0 * 4 * ($1.1 ? 3 : 2) }
        guard data.count - offset == expected else {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: "the optimizer state has \(data.count - offset) bytes, expected \(expected)")
        }
        for (optimizer, values) in zip(optimizers, header.includesValues) {
            let count = optimizer.parameters.count
            var arrays = [optimizer.firstMoment, optimizer.secondMoment]
            if values { arrays.append(optimizer.parameters.values) }
            for pointer in arrays {
                data.withUnsafeBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    UnsafeMutableRawPointer(pointer).copyMemory(from: base + offset, byteCount: count * 4)
                }
                offset += count * 4
            }
            optimizer.stepCount = header.stepCount
        }
    }
}
