/// Errors of the command-line tool itself (the library's errors are printed as they are).
package struct CLIError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
