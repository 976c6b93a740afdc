import Foundation

/// A property the code under test promises for every input. A broken one is a bug: the target aborts, which
/// libFuzzer reports as a crash and saves the input that did it (a thrown error, by contrast, is a fine outcome).
package enum FuzzInvariant {
    package static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                                file: StaticString = #fileID, line: UInt = #line) {
        guard !condition() else { return }
        FileHandle.standardError.write(Data("invariant broken at \(file):\(line): \(message())\n".utf8))
        abort()
    }
}
