import Foundation
import SentenceTransformers
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `sbert encode`'s output a batch of rows at a time, so that memory does not grow with the input.
///
/// To a file, rows go to a temporary file beside it, renamed into place by ``finish()``: the destination holds its old
/// content or the whole new one, never a part (and, as ``OutputFile`` does, links and devices are refused). To
/// standard output rows stream, except `.npy`, whose header holds the row count: its rows wait in an unnamed
/// temporary file until the count is known.
final class EmbeddingWriter {
    private let format: EmbeddingFormat
    private let path: String?
    /// The temporary file beside `path`, renamed into place at the end.
    private var temporaryPath: String?
    /// Where rows go: a temporary file, or -1 for standard output.
    private var descriptor: Int32 = -1
    private var rows = 0
    private var dimension = 0
    /// The `.npy` element type: float32 unless quantized rows were written.
    private var npyDescriptor = "<f4"
    private var finished = false

    /// - Throws: ``CLIError`` when `path` may not be replaced or no temporary file can be made beside it.
    init(format: EmbeddingFormat, path: String?) throws {
        self.format = format
        self.path = path == "-" ? nil : path
        if let path = self.path {
            try OutputFile.checkReplaceable(path)
            let directory = (path as NSString).deletingLastPathComponent
            let (descriptor, temporary) = try Self.makeTemporaryFile(in: directory.isEmpty ? "." : directory, for: path)
            self.descriptor = descriptor
            temporaryPath = temporary
            if format == .npy { try put(Data(count: EmbeddingFormat.npyHeaderLength)) }
        } else if format == .npy {
            let (descriptor, temporary) = try Self.makeTemporaryFile(in: NSTemporaryDirectory(), for: "a temporary file")
            unlink(temporary)  // unnamed: gone when closed, whatever happens
            self.descriptor = descriptor
        }
        if format == .json { try put(Data("[".utf8)) }
    }

    deinit {
        if !finished { discard() }
    }

    /// Appends the rows of `embeddings`.
    /// - Throws: ``CLIError`` when a write fails (full disk, closed pipe).
    func write(_ embeddings: Embeddings) throws {
        guard embeddings.count > 0 else { return }
        dimension = embeddings.dimension
        try put(format.rows(embeddings, after: rows))
        rows += embeddings.count
    }

    /// Appends quantized rows (`sbert encode --precision`); a `.npy` file then holds their bytes, `[rows, bytesPerRow]`.
    /// - Throws: ``CLIError`` when a write fails.
    func write(_ quantized: QuantizedEmbeddings) throws {
        guard quantized.count > 0 else { return }
        if quantized.precision == .float32 {
            return try write(Embeddings(values: (0..<quantized.count).flatMap(quantized.dequantized), dimension: quantized.dimension))
        }
        dimension = quantized.bytesPerRow
        npyDescriptor = EmbeddingFormat.npyDescriptor(quantized.precision)
        try put(format.rows(quantized, after: rows))
        rows += quantized.count
    }

    /// Appends one JSON value per line (sparse vectors, per-token matrices), in `.jsonl` output.
    /// - Throws: ``CLIError`` when a write fails.
    func write(jsonLines lines: [String]) throws {
        guard !lines.isEmpty else { return }
        try put(Data((lines.joined(separator: "\n") + "\n").utf8))
        rows += lines.count
    }

    /// Ends the output: the closing bracket or the `.npy` header, then the rename into place.
    /// - Throws: ``CLIError`` when a write or the rename fails; the temporary file is then removed.
    func finish() throws {
        if format == .json { try put(Data("]\n".utf8)) }
        if format == .npy {
            let header = EmbeddingFormat.npyHeader(rows: rows, dimension: dimension, descriptor: npyDescriptor)
            if path != nil {
                try put(header, at: 0)
            } else {
                try StandardOutput.write(header)
                try copyToStandardOutput()
            }
        }
        if let path, let temporaryPath {
            guard fsync(descriptor) == 0 else { throw failure("cannot write \(path)") }
            close(descriptor)
            descriptor = -1
            guard rename(temporaryPath, path) == 0 else { throw failure("cannot write \(path)") }
            self.temporaryPath = nil
        }
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        finished = true
    }

    /// Removes the temporary file: after an error the destination keeps its old content.
    func discard() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        if let temporaryPath { unlink(temporaryPath) }
        temporaryPath = nil
    }

    private static func makeTemporaryFile(in directory: String, for what: String) throws -> (Int32, String) {
        var template = Array((directory + "/.sbert-output-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else { throw CLIError("cannot write \(what): \(String(cString: strerror(errno)))") }
        // mkstemp makes the file private (0600); the output gets the mode a plain `> file` would give it.
        let mask = umask(0)
        umask(mask)
        fchmod(descriptor, 0o666 & ~mask)
        return (descriptor, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    private func put(_ data: Data, at offset: Int? = nil) throws {
        guard descriptor >= 0 else { return try StandardOutput.write(data) }
        try data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var done = 0
            while done < bytes.count {
                let count = offset.map { pwrite(descriptor, base + done, bytes.count - done, off_t($0 + done)) }
                    ?? systemWrite(descriptor, base + done, bytes.count - done)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw failure("cannot write \(path ?? "a temporary file")") }
                done += count
            }
        }
    }

    private func copyToStandardOutput() throws {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw failure("cannot read back a temporary file") }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw failure("cannot read back a temporary file") }
            if count == 0 { return }
            try StandardOutput.write(Data(chunk[0..<count]))
        }
    }

    private func failure(_ what: String) -> CLIError {
        let reason = String(cString: strerror(errno))
        discard()
        return CLIError("\(what): \(reason)")
    }
}

/// `write(2)`, out of the way of ``EmbeddingWriter/write(_:)``.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
