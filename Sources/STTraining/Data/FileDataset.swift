import Foundation

/// A training set read from a JSONL, TSV or CSV file (CSV or TSV told apart by the first line's delimiters) without loading it: the file is scanned once for the byte offset
/// of each record, and a row is read and parsed when asked for, so a file larger than memory trains in about 8 bytes
/// of memory per row.
///
/// Columns are mapped by name (the JSON key or the header field) or, for files without a header, by 0-based position
/// (`"5"`). Every record must fit on one line (CSV fields with line breaks are rejected with the line number). In JSON
/// lines the last of several columns may hold a list of strings (a query's documents, for the listwise losses; they go
/// to ``TrainingExample/candidates``) and the label a list of numbers (``TrainingExample/labelVector``).
///
/// ```swift
/// let data = try FileDataset(url: URL(fileURLWithPath: "pairs.jsonl"), columns: ["anchor", "positive"])
/// let sts = try FileDataset(url: stsTrain, columns: ["5", "6"], labelColumn: "4", hasHeader: false, labelScale: 0.2)
/// ```
public final class FileDataset: TrainingDataSource, @unchecked Sendable {
    public enum Format: String, Sendable { case jsonl, tsv, csv }

    public let url: URL
    public let format: Format
    public let columns: [String]
    public let labelColumn: String?
    /// Labels are multiplied by this (STS-B's 0–5 gold scores × 0.2 give 0–1).
    public let labelScale: Float
    private let offsets: [UInt64]   // start of each record, then the end of the file
    private let header: [String]?
    private let handle: FileHandle
    private let lock = NSLock()

    public init(url: URL, columns: [String], labelColumn: String? = nil, hasHeader: Bool = true,
                labelScale: Float = 1, format: Format? = nil) throws {
        self.url = url
        self.columns = columns
        self.labelColumn = labelColumn
        self.labelScale = labelScale
        let ext = url.pathExtension.lowercased()
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw TrainingError.invalidData(file: url.path, line: nil, reason: "cannot open the file")
        }
        self.handle = handle
        guard !columns.isEmpty else { throw TrainingError.invalidArgument("no text columns given for \(url.path)") }
        // One pass over the file in 1 MiB blocks, noting where each non-empty line starts.
        var offsets: [UInt64] = []
        var position: UInt64 = 0
        var lineStart: UInt64 = 0
        var lineHasContent = false
        while true {
            let block = handle.readData(ofLength: 1 << 20)
            if block.isEmpty { break }
            for byte in block {
                if byte == UInt8(ascii: "\n") {
                    if lineHasContent { offsets.append(lineStart) }
                    lineStart = position + 1
                    lineHasContent = false
                } else if byte != UInt8(ascii: "\r") {
                    lineHasContent = true
                }
                position += 1
            }
        }
        if lineHasContent { offsets.append(lineStart) }
        // `.csv` files are often TAB-separated (STS Benchmark): the first line's delimiters decide.
        var detected: Format = ext == "jsonl" || ext == "json" ? .jsonl : .tsv
        if detected != .jsonl, let first = offsets.first {
            let line = try Self.readLine(handle, from: first, to: offsets.count > 1 ? offsets[1] : position, file: url.path)
            detected = line.filter { $0 == "," }.count > line.filter { $0 == "\t" }.count ? .csv : .tsv
        }
        self.format = format ?? detected
        var header: [String]? = nil
        if self.format != .jsonl, hasHeader, !offsets.isEmpty {
            header = try Self.fields(Self.readLine(handle, from: offsets[0], to: offsets.count > 1 ? offsets[1] : position, file: url.path),
                                     format: self.format, file: url.path, line: 1)
            offsets.removeFirst()
        }
        self.header = header
        offsets.append(position)
        self.offsets = offsets
        if let header {
            for name in columns + (labelColumn.map { [$0] } ?? []) where !header.contains(name) && Int(name) == nil {
                throw TrainingError.invalidData(file: url.path, line: 1, reason: "no column '\(name)' in the header \(header)")
            }
        }
    }

    deinit { try? handle.close() }

    public var count: Int { offsets.count - 1 }

    public func example(at index: Int) throws -> TrainingExample {
        let text: String
        lock.lock()
        defer { lock.unlock() }
        text = try Self.readLine(handle, from: offsets[index], to: offsets[index + 1], file: url.path)
        let line = index + (header == nil ? 1 : 2)
        switch format {
        case .jsonl:
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw TrainingError.invalidData(file: url.path, line: nil, reason: "record \(index + 1) is not a JSON object")
            }
            var texts: [String] = []
            var candidates: [String]? = nil
            for (position, name) in columns.enumerated() {
                if let value = object[name] as? String {
                    texts.append(value)
                } else if position == columns.count - 1, position > 0, let list = object[name] as? [Any], !list.isEmpty,
                          let strings = list as? [String] {
                    candidates = strings
                } else {
                    throw TrainingError.invalidData(file: url.path, line: index + 1, reason: position == columns.count - 1 && position > 0
                        ? "field '\(name)' is missing or not a string (or a non-empty list of strings)"
                        : "field '\(name)' is missing or not a string")
                }
            }
            var example = TrainingExample(texts: texts, candidates: candidates)
            if let labelColumn {
                if let number = object[labelColumn] as? NSNumber {
                    example.label = try Self.finite(number.floatValue * labelScale, "\(number)", file: url.path, line: index + 1)
                } else if let vector = object[labelColumn] as? [NSNumber] {
                    example.labelVector = try vector.map { try Self.finite($0.floatValue * labelScale, "\($0)", file: url.path, line: index + 1) }
                } else {
                    throw TrainingError.invalidData(file: url.path, line: index + 1, reason: "label '\(labelColumn)' is missing or not a number")
                }
            }
            return example
        case .tsv, .csv:
            let fields = try Self.fields(text, format: format, file: url.path, line: line)
            func field(_ name: String) throws -> String {
                let position = header?.firstIndex(of: name) ?? Int(name)
                guard let position, position >= 0, position < fields.count else {
                    throw TrainingError.invalidData(file: url.path, line: line, reason: "no field '\(name)' (the row has \(fields.count) fields)")
                }
                return fields[position]
            }
            var example = TrainingExample(texts: try columns.map(field))
            if let labelColumn {
                let raw = try field(labelColumn)
                guard let value = Float(raw.trimmingCharacters(in: .whitespaces)) else {
                    throw TrainingError.invalidData(file: url.path, line: line, reason: "label '\(raw)' is not a number")
                }
                example.label = try Self.finite(value * labelScale, raw, file: url.path, line: line)
            }
            return example
        }
    }

    /// A label as a 32-bit float, refused when it does not fit one.
    private static func finite(_ value: Float, _ raw: String, file: String, line: Int) throws -> Float {
        guard value.isFinite else {
            throw TrainingError.invalidData(file: file, line: line, reason: "label \(raw) does not fit a 32-bit float (after --label-scale)")
        }
        return value
    }

    private static func readLine(_ handle: FileHandle, from start: UInt64, to end: UInt64, file: String) throws -> String {
        // pread: positioned reads that neither depend on nor move a shared file offset.
        var data = Data(count: Int(end - start))
        var filled = 0
        while filled < data.count {
            let read = data.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return pread(handle.fileDescriptor, base + filled, raw.count - filled, off_t(start) + off_t(filled))
            }
            if read <= 0 { break }
            filled += read
        }
        var bytes = data[..<filled]
        if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) { bytes = bytes[..<newline] }
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        guard let line = String(data: Data(bytes), encoding: .utf8) else {
            throw TrainingError.invalidData(file: file, line: nil, reason: "a record is not valid UTF-8 (byte \(start))")
        }
        return line
    }

    /// Splits a TSV line on tabs, or a CSV line on commas with RFC 4180 quotes.
    static func fields(_ line: String, format: Format, file: String, line number: Int) throws -> [String] {
        if format == .tsv { return line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if quoted { throw TrainingError.invalidData(file: file, line: number, reason: "a quoted field does not end on its line") }
        fields.append(current)
        return fields
    }
}
