import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output that reports write failures instead of trapping or losing them: a full disk, a closed stream, or
/// a reader that went away (`sbert encode … | head -n 1`) ends the command with a message and a non-zero exit.
public enum StandardOutput {
    /// Call once at start: with SIGPIPE ignored, a write to a closed pipe fails with EPIPE, which ``write(_:)`` and
    /// ``finish()`` report, instead of killing the process silently.
    public static func prepare() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes `data` to standard output.
    ///
    /// - Throws: ``CLIError`` naming the system error when not every byte could be written.
    static func write(_ data: Data) throws {
        guard let stream = stream() else { throw CLIError("no standard output stream") }
        let written = data.withUnsafeBytes { bytes in
            bytes.baseAddress.map { fwrite($0, 1, bytes.count, stream) } ?? 0
        }
        guard written == data.count, fflush(stream) == 0 else { throw CLIError(failure()) }
    }

    /// Call once at the end: flushes what `print` buffered and, if any write failed, says so and exits with 1.
    public static func finish() {
        guard let stream = stream() else { return }
        if fflush(stream) != 0 || ferror(stream) != 0 {
            FileHandle.standardError.write(Data("Error: \(failure())\n".utf8))
            exit(1)
        }
    }

    /// The C library's standard output stream, the one `print` writes to. Read through the dynamic linker because
    /// Swift 6 rejects any reference to the mutable C global `stdout` (shared mutable state); this is that same
    /// global's value, looked up once per call.
    private static func stream() -> UnsafeMutablePointer<FILE>? {
        #if canImport(Darwin)
        let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: -2), "__stdoutp")  // RTLD_DEFAULT
        #else
        let symbol = dlsym(nil, "stdout")  // RTLD_DEFAULT
        #endif
        guard let symbol else { return nil }
        return symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
    }

    private static func failure() -> String {
        "cannot write to standard output: \(String(cString: strerror(errno)))"
    }
}
