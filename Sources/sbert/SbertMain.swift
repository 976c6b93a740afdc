import STCLI

/// The `sbert` executable: everything lives in STCLI.
@main
enum SbertMain {
    static func main() async {
        SbertCommand.runCompanionIfNeeded()
        // `main(_:)` with an explicit argument is the async entry point (a bare `main()` can resolve to the
        // synchronous one, which would not run async subcommands such as `index build`).
        StandardOutput.prepare()
        await SbertCommand.main(nil)
        StandardOutput.finish()
    }
}
