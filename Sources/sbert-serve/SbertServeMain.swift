import STCLI

/// The `sbert-serve` executable, which `sbert serve` runs: the HTTP server lives apart so that building `sbert`
/// compiles neither SwiftNIO nor Hummingbird.
@main
enum SbertServeMain {
    static func main() async {
        StandardOutput.prepare()
        await ServeCommand.main(ServeCommand.normalized(Array(CommandLine.arguments.dropFirst())))
        StandardOutput.finish()
    }
}
