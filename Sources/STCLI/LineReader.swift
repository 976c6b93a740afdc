import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lines of a file or of standard input, read one at a time (`\n`, with an optional `\r` before it), so that a
/// million-line input never sits in memory whole. A final empty line (a trailing newline) is not a line.
///
/// ```swift
/// let reader = try LineReader(path: "texts.txt")
/// while let line = try reader.next() { print(line) }
/// ```
final class LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    /// What error messages call the input.
    let source: String
    /// Lines returned so far.
    private(set) var lineNumber = 0

    /// Opens `path` (`-` or nil: standard input).
    /// - Throws: ``CLIError`` when the file cannot be opened.
    init(path: String?) throws {
        if let path, path != "-" {
            var status = stat()
            if stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR { throw CLIError("cannot read input file \(path): it is a directory") }
            guard let file = fopen(path, "rb") else { throw CLIError("cannot read input file \(path): \(String(cString: strerror(errno)))") }
            self.file = file
            source = path
        } else {
            // A stream of our own over a copy of descriptor 0: Swift 6 rejects the C global `stdin`.
            let descriptor = dup(STDIN_FILENO)
            guard descriptor >= 0, let file = fdopen(descriptor, "rb") else {
                throw CLIError("cannot read standard input: \(String(cString: strerror(errno)))")
            }
            self.file = file
            source = "standard input"
        }
    }

    deinit {
        free(buffer)
        fclose(file)
    }

    /// The next line, or nil at the end of the input.
    /// - Throws: ``CLIError`` naming the line when it is not valid UTF-8, or when reading fails.
    func next() throws -> String? {
        errno = 0
        let length = getline(&buffer, &capacity, file)
        guard length >= 0, let buffer else {
            if ferror(file) != 0 { throw CLIError("cannot read \(source): \(String(cString: strerror(errno)))") }
            return nil
        }
        lineNumber += 1
        var count = length
        if count > 0, buffer[count - 1] == 0x0A { count -= 1 }
        if count > 0, buffer[count - 1] == 0x0D { count -= 1 }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: count)
        guard let line = String(validating: bytes, as: UTF8.self) else {
            throw CLIError("\(source), line \(lineNumber): not valid UTF-8")
        }
        return line
    }

    /// Up to `count` further lines (fewer only at the end of the input).
    func next(_ count: Int) throws -> [String] {
        var lines: [String] = []
        while lines.count < count, let line = try next() { lines.append(line) }
        return lines
    }
}
