import Foundation
#if SBERT_FUZZ
import CLibFuzzer
#endif

/// The entry point of every fuzz target: libFuzzer's driver in a fuzz build, a corpus replay otherwise.
///
/// Built with `-DSBERT_FUZZ -sanitize=fuzzer` (`scripts/fuzz.sh`), `main` hands the command line to libFuzzer, which
/// mutates inputs and calls `test` with each. In a normal build (`swift build`) the same binary replays the files
/// and directories given as arguments through the same `test`, so a saved crash reproduces without the fuzzer
/// toolchain: `swift run fuzz-tokenizer Fuzz/Corpus/tokenizer`.
package enum FuzzDriver {
    /// One input; returns 0 (libFuzzer's contract: other values are reserved). A broken invariant aborts.
    package typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    package static func main(_ test: TestOneInput) -> Never {
        #if SBERT_FUZZ
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, test))
        #else
        exit(replay(Array(CommandLine.arguments.dropFirst()), test))
        #endif
    }

    /// Runs every file named by `paths` (directories: every file inside, recursively) through `test`.
    /// - Returns: the exit status: 0, or 1 when a path cannot be read.
    static func replay(_ paths: [String], _ test: TestOneInput) -> Int32 {
        guard !paths.isEmpty else {
            print("usage: \(CommandLine.arguments.first ?? "fuzz-target") FILE_OR_DIRECTORY...  (replays each input)")
            return 1
        }
        var count = 0
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("error: no such file: \(path)\n".utf8))
                return 1
            }
            let files = isDirectory.boolValue ? regularFiles(under: path) : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("error: cannot read \(file)\n".utf8))
                    return 1
                }
                _ = data.withUnsafeBytes { test($0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
                count += 1
            }
        }
        print("replayed \(count) inputs: no crash")
        return 0
    }

    private static func regularFiles(under directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { item -> String? in
            guard let url = item as? URL, (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { return nil }
            return url.path
        }.sorted()
    }
}
