#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file, unmapped when the last reference goes.
public final class MappedFile: @unchecked Sendable {
    /// The file's path, for error messages.
    public let path: String
    /// The mapped bytes (empty for an empty file).
    public let bytes: UnsafeRawBufferPointer
    /// `true` when `bytes` is a heap copy (``init(copying:path:)``), freed instead of unmapped.
    private let isHeapCopy: Bool

    /// Maps the file at `path`.
    /// - Throws: ``SafeTensorsError/cannotOpen(file:reason:)`` when the file cannot be opened or mapped.
    public init(path: String) throws {
        self.path = path
        isHeapCopy = false
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw SafeTensorsError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SafeTensorsError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError.cannotOpen(file: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw SafeTensorsError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// The contents of a file already in memory, copied into an allocation of exactly their size, so that the
    /// fuzzer's input reaches the same parser as a file, and AddressSanitizer sees a read one byte past the end
    /// (a mapping would hide it up to the page boundary).
    package init(copying contents: UnsafeRawBufferPointer, path: String) {
        self.path = path
        isHeapCopy = true
        guard !contents.isEmpty else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: contents.count, alignment: 16)
        copy.copyMemory(from: contents)
        bytes = UnsafeRawBufferPointer(copy)
    }

    /// Tells the kernel that the whole pages inside `range` (byte offsets into ``bytes``) will not be read again soon,
    /// so they leave the resident set; a later read maps them back from the file (the mapping is private and never
    /// written, so the contents are unchanged). Does nothing for a heap copy.
    public func releasePages(_ range: Range<Int>) {
        guard !isHeapCopy, let base = bytes.baseAddress, !range.isEmpty, range.upperBound <= bytes.count else { return }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: base) + range.lowerBound, end = Int(bitPattern: base) + range.upperBound
        let first = (start + pageSize - 1) / pageSize * pageSize
        let last = end / pageSize * pageSize
        guard last > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(address, last - first, Int32(MADV_DONTNEED))
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isHeapCopy {
            base.deallocate()
        } else {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
