import Foundation

/// The on-disk form of a ``VectorIndex``:
///
/// ```
/// DIR/CURRENT                      name of the complete version, e.g. "v000003"
/// DIR/v000003/manifest.json        format name and version, settings, and the sha256 of every other file
/// DIR/v000003/documents.jsonl      {"id", "text", "metadata", "deleted"} per row
/// DIR/v000003/vectors.bin          the rows (fp32 little-endian, or quantized bytes)
/// DIR/v000003/rescore.bin          int8 rows of a binary index
/// DIR/v000003/graph.bin            the HNSW graph
/// DIR/v000003/sparse.bin           a hybrid index's sparse vectors (`encodeSparse`)
/// ```
///
/// A save writes a new version directory completely, then replaces `CURRENT` atomically (rename), then removes the
/// old version: a process killed at any point leaves `CURRENT` naming a complete, checksummed version.
extension VectorIndex {
    public static let formatName = "swift-sentence-transformers-index"
    public static let formatVersion = 1

    struct Manifest: Codable {
        var format: String
        var version: Int
        var dimension: Int
        var kind: String
        var precision: QuantizationPrecision?
        var m: Int?
        var efConstruction: Int?
        var efSearch: Int?
        var metric: Metric
        var model: String?
        var rows: Int
        var ranges: QuantizationRanges?
        var hnswEntryPoint: Int?
        var hnswMaxLevel: Int?
        var hnswGeneratorState: UInt64?
        var sparseDimension: Int?
        var sparseModel: String?
        var checksums: [String: String]
    }

    struct StoredDocument: Codable {
        var id: String
        var text: String
        var metadata: [String: String]
        var deleted: Bool
    }

    /// Writes the index to `directory` atomically (see the type's documentation).
    /// - Throws: ``IndexError/cannotWrite(path:reason:)`` when `directory` is a file or cannot be created or written
    ///   (the index there, if any, is left as it was).
    public func save(to directory: URL) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw IndexError.cannotWrite(path: directory.path, reason: "it is a file, not a directory")
        }
        do {
            try write(to: directory)
        } catch let error as IndexError {
            throw error
        } catch {
            // Foundation's errors name a code, not the cause: find the deepest existing folder and say what it refuses.
            var folder = directory
            while !manager.fileExists(atPath: folder.path), folder.path != "/" { folder.deleteLastPathComponent() }
            let reason = manager.isWritableFile(atPath: folder.path) ? "\(error.localizedDescription)" : "\(folder.path) is not writable"
            throw IndexError.cannotWrite(path: directory.path, reason: reason)
        }
    }

    private func write(to directory: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        let previous = Self.currentVersion(in: directory)
        let number = (previous.flatMap { Int($0.dropFirst()) } ?? 0) + 1
        let version = String(format: "v%06d", number)
        let staging = directory.appendingPathComponent(version)
        try? manager.removeItem(at: staging)
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)

        var files: [String: Data] = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lines = Data()
        for (row, document) in documents.enumerated() {
            lines += try encoder.encode(StoredDocument(id: document.id, text: document.text, metadata: document.metadata, deleted: deleted[row]))
            lines.append(UInt8(ascii: "\n"))
        }
        files["documents.jsonl"] = lines
        if let quantized {
            files["vectors.bin"] = Data(quantized.bytes)
        } else {
            var data = Data(capacity: vectors.count * 4)
            for value in vectors { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            files["vectors.bin"] = data
        }
        if let rescore { files["rescore.bin"] = Data(rescore.bytes) }
        if let graph { files["graph.bin"] = Self.encode(graph) }
        if let sparse { files["sparse.bin"] = Self.encodeSparse(sparse.vectors) }

        var manifest = Manifest(format: Self.formatName, version: Self.formatVersion, dimension: dimension, kind: "flat", metric: metric,
                                model: model, rows: documents.count, ranges: ranges, sparseDimension: sparse?.dimension,
                                sparseModel: sparseModel, checksums: [:])
        switch kind {
        case let .flat(precision): manifest.precision = precision
        case let .hnsw(m, efConstruction, efSearch):
            manifest.kind = "hnsw"
            (manifest.m, manifest.efConstruction, manifest.efSearch) = (m, efConstruction, efSearch)
            manifest.hnswEntryPoint = graph?.entryPoint
            manifest.hnswMaxLevel = graph?.maxLevel
            manifest.hnswGeneratorState = graph?.generatorState
        }
        for (name, data) in files {
            var hash = SHA256()
            hash.update(data)
            manifest.checksums[name] = hash.finalizeHex()
            try Self.writeSynced(data, to: staging.appendingPathComponent(name))
        }
        try Self.writeSynced(try encoder.encode(manifest), to: staging.appendingPathComponent("manifest.json"))
        // The switch: CURRENT names the new version once this rename is done.
        let current = directory.appendingPathComponent("CURRENT")
        let pending = directory.appendingPathComponent("CURRENT.tmp")
        try Self.writeSynced(Data((version + "\n").utf8), to: pending)
        if rename(pending.path, current.path) != 0 {
            throw IndexError.cannotWrite(path: current.path, reason: String(cString: strerror(errno)))
        }
        for entry in (try? manager.contentsOfDirectory(atPath: directory.path)) ?? [] where entry.hasPrefix("v") && entry != version {
            try? manager.removeItem(at: directory.appendingPathComponent(entry))
        }
    }

    /// Opens an index saved by ``save(to:)``, verifying every checksum.
    /// - Throws: ``IndexError`` naming the file that is missing, foreign, of an unknown version, truncated or altered.
    public init(contentsOf directory: URL) throws {
        guard let version = Self.currentVersion(in: directory) else { throw IndexError.notAnIndex(path: directory.path) }
        let folder = directory.appendingPathComponent(version)
        let manifestURL = folder.appendingPathComponent("manifest.json")
        guard let manifestData = FileManager.default.contents(atPath: manifestURL.path),
              let manifest = try? JSONDecoder().decode(Manifest.self, from: manifestData) else {
            throw IndexError.notAnIndex(path: manifestURL.path)
        }
        guard manifest.format == Self.formatName else { throw IndexError.notAnIndex(path: manifestURL.path) }
        guard manifest.version == Self.formatVersion else { throw IndexError.unsupportedVersion(path: manifestURL.path, version: manifest.version) }
        var contents: [String: Data] = [:]
        for (name, expected) in manifest.checksums {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else { throw IndexError.corrupt(path: url.path, reason: "missing") }
            var hash = SHA256()
            hash.update(data)
            guard hash.finalizeHex() == expected else { throw IndexError.corrupt(path: url.path, reason: "checksum mismatch") }
            contents[name] = data
        }
        let kind: Kind
        switch manifest.kind {
        case "flat": kind = .flat(precision: manifest.precision ?? .float32)
        case "hnsw": kind = .hnsw(m: manifest.m ?? 16, efConstruction: manifest.efConstruction ?? 200, efSearch: manifest.efSearch ?? 200)
        default: throw IndexError.corrupt(path: manifestURL.path, reason: "unknown kind \(manifest.kind)")
        }
        guard manifest.dimension > 0 else { throw IndexError.corrupt(path: manifestURL.path, reason: "dimension \(manifest.dimension)") }
        if let sparseDimension = manifest.sparseDimension, sparseDimension <= 0 {
            throw IndexError.corrupt(path: manifestURL.path, reason: "sparse dimension \(sparseDimension)")
        }
        self.init(dimension: manifest.dimension, kind: kind, metric: manifest.metric, model: manifest.model,
                  sparseDimension: manifest.sparseDimension, sparseModel: manifest.sparseModel)
        let documentsURL = folder.appendingPathComponent("documents.jsonl")
        let stored = try (contents["documents.jsonl"] ?? Data()).split(separator: UInt8(ascii: "\n")).map { line in
            do { return try JSONDecoder().decode(StoredDocument.self, from: Data(line)) } catch {
                throw IndexError.corrupt(path: documentsURL.path, reason: "a line is not a document")
            }
        }
        guard stored.count == manifest.rows else { throw IndexError.corrupt(path: documentsURL.path, reason: "\(stored.count) rows, manifest says \(manifest.rows)") }
        try restore(stored: stored, manifest: manifest, contents: contents, folder: folder)
    }

    private mutating func restore(stored: [StoredDocument], manifest: Manifest, contents: [String: Data], folder: URL) throws {
        documents = stored.map { IndexDocument(id: $0.id, text: $0.text, metadata: $0.metadata) }
        deleted = stored.map(\.deleted)
        for (row, document) in stored.enumerated() where !document.deleted { rowOfID[document.id] = row }
        ranges = manifest.ranges
        let vectorsURL = folder.appendingPathComponent("vectors.bin")
        let vectorData = contents["vectors.bin"] ?? Data()
        if case let .flat(precision) = kind, precision != .float32 {
            guard vectorData.count == manifest.rows * precision.bytesPerRow(dimension: dimension) else {
                throw IndexError.corrupt(path: vectorsURL.path, reason: "wrong size")
            }
            let usesRanges = precision == .int8 || precision == .uint8
            quantized = QuantizedEmbeddings(precision: precision, dimension: dimension, bytes: Array(vectorData), ranges: usesRanges ? ranges : nil)
            if let data = contents["rescore.bin"] { rescore = QuantizedEmbeddings(precision: .int8, dimension: dimension, bytes: Array(data), ranges: ranges) }
        } else {
            guard vectorData.count == manifest.rows * dimension * 4 else { throw IndexError.corrupt(path: vectorsURL.path, reason: "wrong size") }
            vectors = vectorData.withUnsafeBytes { raw in
                (0..<(manifest.rows * dimension)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
        }
        if let dimension = manifest.sparseDimension {
            let sparseURL = folder.appendingPathComponent("sparse.bin")
            guard let data = contents["sparse.bin"], let vectors = Self.decodeSparse(data, rows: manifest.rows, dimension: dimension) else {
                throw IndexError.corrupt(path: sparseURL.path, reason: "unreadable sparse vectors")
            }
            var index = SparseIndex(dimension: dimension)
            do { try index.add(vectors) } catch { throw IndexError.corrupt(path: sparseURL.path, reason: "\(error)") }
            sparse = index
        }
        if case .hnsw = kind {
            let graphURL = folder.appendingPathComponent("graph.bin")
            guard var graph, let data = contents["graph.bin"], let neighbors = Self.decodeNeighbors(data, nodes: manifest.rows) else {
                throw IndexError.corrupt(path: graphURL.path, reason: "unreadable graph")
            }
            graph.neighbors = neighbors
            graph.entryPoint = manifest.hnswEntryPoint ?? -1
            graph.maxLevel = manifest.hnswMaxLevel ?? -1
            graph.generatorState = manifest.hnswGeneratorState ?? graph.generatorState
            guard graph.entryPoint < manifest.rows, neighbors.allSatisfy({ $0.allSatisfy { $0.allSatisfy { Int($0) < manifest.rows && $0 >= 0 } } }) else {
                throw IndexError.corrupt(path: graphURL.path, reason: "links outside the index")
            }
            self.graph = graph
        }
    }

    static func currentVersion(in directory: URL) -> String? {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("CURRENT"), encoding: .utf8) else { return nil }
        let version = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return version.hasPrefix("v") && !version.contains("/") && !version.contains(".") ? version : nil
    }

    /// Writes `data` and flushes it to disk before returning, so a later rename never publishes a partial file.
    static func writeSynced(_ data: Data, to url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: data), let handle = FileHandle(forWritingAtPath: url.path) else {
            throw IndexError.corrupt(path: url.path, reason: "cannot write")
        }
        try handle.synchronize()
        try handle.close()
    }

    /// Node count, then per node: level count, then per level: link count and links (all UInt32 little-endian).
    static func encode(_ graph: HNSWGraph) -> Data {
        var words: [UInt32] = [UInt32(graph.neighbors.count)]
        for levels in graph.neighbors {
            words.append(UInt32(levels.count))
            for links in levels {
                words.append(UInt32(links.count))
                words += links.map { UInt32(bitPattern: $0) }
            }
        }
        var data = Data(capacity: words.count * 4)
        for word in words { withUnsafeBytes(of: word.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func decodeNeighbors(_ data: Data, nodes: Int) -> [[[Int32]]]? {
        guard data.count % 4 == 0 else { return nil }
        let words: [UInt32] = data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) } }
        var position = 0
        func next() -> Int? {
            guard position < words.count else { return nil }
            defer { position += 1 }
            return Int(words[position])
        }
        guard let count = next(), count == nodes else { return nil }
        var neighbors: [[[Int32]]] = []
        for _ in 0..<count {
            guard let levels = next(), levels <= 64 else { return nil }
            var node: [[Int32]] = []
            for _ in 0..<levels {
                guard let links = next(), position + links <= words.count else { return nil }
                node.append(words[position..<(position + links)].map { Int32(bitPattern: $0) })
                position += links
            }
            neighbors.append(node)
        }
        return position == words.count ? neighbors : nil
    }
}
