import Foundation

/// Texts read from a file or standard input: one text per line (`\n`, with an optional `\r` before it).
package enum InputLines {
    /// Reads every line of `path` (`-` or nil = standard input).
    /// - Throws: ``CLIError`` naming the line when a line is not valid UTF-8.
    package static func read(path: String?) throws -> [String] {
        let reader = try LineReader(path: path)
        var lines: [String] = []
        while let line = try reader.next() { lines.append(line) }
        return lines
    }

    /// Splits `data` into lines and decodes each as UTF-8; a final empty line (a trailing newline) is dropped.
    static func lines(of data: Data, source: String) throws -> [String] {
        var pieces = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        return try pieces.enumerated().map { index, piece in
            var bytes = piece
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            guard let line = String(validating: bytes, as: UTF8.self) else {
                throw CLIError("\(source), line \(index + 1): not valid UTF-8")
            }
            return line
        }
    }
}
