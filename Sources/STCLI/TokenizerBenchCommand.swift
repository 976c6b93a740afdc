import ArgumentParser
import Foundation
import STTokenizers

/// `sbert bench-tokenizers`: single-threaded tokenizer throughput on the benchmark corpora, as JSON.
struct TokenizerBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-tokenizers",
        abstract: "Measure tokenizer speed (one thread) on the benchmark corpora; prints JSON.",
        discussion: """
            Encodes every line of the short and long corpora with each tokenizer.json given (special tokens added, \
            no truncation, no padding), several runs, and reports the best and median sentences/s and tokens/s.
            """
    )

    @Option(name: .customLong("tokenizer"), help: "A tokenizer.json file (repeat for several).")
    var tokenizers: [String] = []

    @Option(help: "Short sentences, one per line.")
    var short: String = "../shared/bench/short.txt"

    @Option(help: "Long passages, one per line.")
    var long: String = "../shared/bench/long.txt"

    @Option(help: "Timed runs per corpus.")
    var runs: Int = 5

    func validate() throws {
        guard !tokenizers.isEmpty else { throw ValidationError("give at least one --tokenizer FILE") }
        guard runs > 0 else { throw ValidationError("--runs must be positive") }
    }

    func run() throws {
        let corpora = [("short", try InputLines.read(path: short)), ("long", try InputLines.read(path: long))]
        var report: [String: Any] = [:]
        for path in tokenizers {
            var tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: path))
            tokenizer.truncation = nil
            tokenizer.padding = nil
            var figures: [String: Any] = [:]
            for (name, texts) in corpora {
                var tokens = 0
                for text in texts.prefix(200) { tokens += try tokenizer.encode(text).count }  // warm-up (caches, pages)
                var times: [Double] = []
                for _ in 0..<runs {
                    tokens = 0
                    let start = DispatchTime.now()
                    for text in texts { tokens += try tokenizer.encode(text).count }
                    times.append(Timing.seconds(since: start))
                }
                times.sort()
                figures[name] = [
                    "items": texts.count, "tokens": tokens, "runs_s": times,
                    "sentences_per_s_best": Double(texts.count) / times[0],
                    "sentences_per_s_median": Double(texts.count) / times[times.count / 2],
                    "tokens_per_s_best": Double(tokens) / times[0],
                ] as [String: Any]
            }
            report[path] = figures
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
