/// Errors of the command-line tool itself (the library's errors are printed as they are).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
