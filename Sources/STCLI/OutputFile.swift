import Foundation

/// Writes command output to a file atomically (a temporary file renamed into place) or to standard output.
enum OutputFile {
    /// - Throws: ``CLIError`` when the output cannot be written, or when `path` is something other than a regular file
    ///   (a symbolic link, a device, a directory): replacing it by renaming would silently cut the link or turn the
    ///   device into a file. Shell redirection (`> path`) writes through such a path when that is what is wanted.
    static func write(_ data: Data, to path: String?) throws {
        guard let path, path != "-" else {
            try StandardOutput.write(data)
            return
        }
        try checkReplaceable(path)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// - Throws: ``CLIError`` when `path` exists and is not a regular file.
    static func checkReplaceable(_ path: String) throws {
        var status = stat()
        if lstat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
            let kind = (status.st_mode & S_IFMT) == S_IFLNK ? "a symbolic link" : (status.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"
            throw CLIError("refusing to replace \(path): it is \(kind) (write through it with shell redirection: > \(path))")
        }
    }
}
