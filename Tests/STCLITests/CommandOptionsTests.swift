import Foundation
import STTestSupport
import Testing

/// No option of `sbert` is silently ignored: every option of every command either takes effect on every run of its
/// command, or is refused with a message on the runs where it cannot. The walk reads the commands' own description
/// (`sbert --experimental-dump-help`), so an option added later fails ``everyOptionIsAccountedFor()`` until it is
/// listed here, as used everywhere or with a run that must refuse it.
@Suite struct CommandOptionsTests {
    /// Options every run of the command uses. `model`, `revision` and `compute` are ModelOptions, shared by the
    /// commands that load a model: their refusals (a revision of a local directory, int8 on a model without a
    /// Transformer, int8 for training) are checked once, in ``sharedModelOptionsAreRefusedWhereUnused()``.
    static let usedEverywhere: [String: Set<String>] = [
        "encode": ["model", "input", "batch-size", "prompt", "prompt-name", "output"],
        "similarity": ["model", "function", "format"],
        "paraphrase-mining": ["model", "input", "batch-size", "prompt", "prompt-name", "top-k", "max-pairs", "truncate-dim", "function", "format"],
        "cluster": ["model", "input", "batch-size", "prompt", "prompt-name", "method", "format"],
        "search": ["index", "store", "filter", "model", "top-k", "rerank-with", "format", "hybrid", "prompt-name"],
        "rerank": ["model", "top-k", "batch-size", "format"],
        "index build": ["model", "input", "out", "store", "kind", "metric", "batch-size", "sparse-model", "prompt-name"],
        "index add": ["index", "store", "input", "model", "batch-size", "sparse-model", "prompt-name"],
        "index info": ["index"],
        "eval": ["model", "data", "format", "batch-size"],
        "train": ["model", "cross-encoder", "train", "columns", "no-header", "loss", "matryoshka", "epochs", "max-steps", "batch-size", "lr", "warmup-ratio",
                  "weight-decay", "scheduler", "max-grad-norm", "gradient-accumulation-steps", "max-seq-length", "seed", "batch-sampler",
                  "eval", "save-steps", "save-total-limit", "logging-steps", "no-dropout", "output", "resume"],
        "mine": ["model", "train", "columns", "corpus", "output", "range-min", "range-max", "max-score", "min-score", "absolute-margin",
                 "relative-margin", "num-negatives", "sampling-strategy", "output-format", "output-scores", "query-prompt-name",
                 "query-prompt", "corpus-prompt-name", "corpus-prompt", "batch-size"],
        "bench-train": ["sts-train", "section", "warmup-steps", "timed-steps"],
        "tokenize": ["model", "tokenizer", "pair", "max-length", "special-tokens", "no-special-tokens", "format"],
        "info": ["model", "format"],
        "download": ["revision"],
        "bench": ["model", "short", "long", "baseline", "runs", "latency-calls", "threads", "seq-len", "short-only", "format", "isa", "reference-venv"],
        "bench-tokenizers": ["tokenizer", "short", "long", "runs"],
        "bench-search": ["model", "corpus", "queries", "top-k", "ef-search"],
        "bench-attention": ["length", "sequences", "heads", "kv-heads", "head-dim", "mask", "rounds", "training"],
    ]

    /// The shared ModelOptions that some runs cannot use (see ``usedEverywhere``).
    static let shared: Set<String> = ["revision", "compute"]

    /// Options that some runs cannot use: a run where it cannot take effect, and words of its refusal. `MINILM`,
    /// `SPLADE`, `STATIC`, `INDEX` (a flat index), `FILE` (a few lines of text) stand for paths made by the test.
    static let refusedWhereUnused: [String: [String: ([String], String)]] = [
        "encode": [
            "normalize": (["--model", "SPLADE", "--normalize", "x"], "not used by a SparseEncoder"),
            "truncate-dim": (["--model", "MINILM", "--truncate-dim", "999", "x"], "more than the model's 384"),
            "task": (["--model", "MINILM", "--output-value", "token_embeddings", "--task", "query", "x"], "--task applies to sentence embeddings"),
            "max-active-dims": (["--model", "MINILM", "--max-active-dims", "4", "x"], "not used by a SentenceTransformer"),
            "decode": (["--model", "MINILM", "--decode", "x"], "not used by a SentenceTransformer"),
            "precision": (["--model", "SPLADE", "--precision", "binary", "x"], "not used by a SparseEncoder"),
            "max-seq-length": (["--model", "STATIC", "--max-seq-length", "8", "x"], "Transformer input module only"),
            "output-value": (["--model", "SPLADE", "--output-value", "token_embeddings", "x"], "not used by a SparseEncoder"),
            "format": (["--model", "SPLADE", "--format", "csv", "x"], "not used by a SparseEncoder"),
        ],
        "similarity": [
            "queries": (["--model", "MINILM", "--queries", "FILE"], "go together"),
            "corpus": (["--model", "MINILM", "--corpus", "FILE"], "go together"),
            "prompt-name": (["--model", "MINILM", "--queries", "FILE", "--corpus", "FILE", "--prompt-name", "query"], "do not apply"),
            "task": (["--model", "MINILM", "--queries", "FILE", "--corpus", "FILE", "--task", "query"], "do not apply"),
        ],
        "cluster": [
            "threshold": (["--method", "kmeans", "--clusters", "2", "--threshold", "0.5", "x"], "option of --method community"),
            "min-community-size": (["--method", "agglomerative", "--distance-threshold", "0.5", "--min-community-size", "2", "x"], "option of --method community"),
            "clusters": (["--clusters", "2", "x"], "option of --method kmeans"),
            "seed": (["--seed", "2", "x"], "option of --method kmeans"),
            "max-iterations": (["--max-iterations", "9", "x"], "option of --method kmeans"),
            "distance-threshold": (["--distance-threshold", "0.5", "x"], "option of --method agglomerative"),
            "linkage": (["--method", "kmeans", "--clusters", "2", "--linkage", "single", "x"], "option of --method agglomerative"),
        ],
        "search": [
            "ef-search": (["--index", "INDEX", "--model", "MINILM", "--ef-search", "50", "x"], "is flat (exact)"),
            "fusion": (["--index", "INDEX", "--fusion", "rrf", "x"], "setting of --hybrid"),
            "sparse-weight": (["--index", "INDEX", "--hybrid", "--fusion", "rrf", "--sparse-weight", "0.3", "x"], "rrf has no weights"),
            "sparse-model": (["--index", "INDEX", "--sparse-model", "SPLADE", "x"], "setting of --hybrid"),
        ],
        "index build": [
            "shard": (["--input", "FILE", "--out", "/nonexistent/x", "--shard", "0/2"], "--shard needs --store"),
            "chunk-size": (["--input", "FILE", "--out", "/nonexistent/x", "--chunk-size", "9"], "--chunk-size needs --store"),
            "storage-precision": (["--input", "FILE", "--out", "/nonexistent/x", "--kind", "hnsw", "--storage-precision", "int8"], "flat index's setting"),
            "m": (["--input", "FILE", "--out", "/nonexistent/x", "--m", "8"], "HNSW setting"),
            "ef-construction": (["--input", "FILE", "--out", "/nonexistent/x", "--ef-construction", "8"], "HNSW setting"),
            "ef-search": (["--input", "FILE", "--out", "/nonexistent/x", "--ef-search", "8"], "HNSW setting"),
        ],
        "index add": [
            "shard": (["--index", "INDEX", "--input", "FILE", "--shard", "0/2"], "--shard needs --store"),
            "chunk-size": (["--index", "INDEX", "--input", "FILE", "--chunk-size", "9"], "--chunk-size needs --store"),
        ],
        "eval": [
            "split": (["sts", "--data", "FILE", "--split", "dev"], "--split picks the qrels"),
            "plot": (["ir", "--data", "FILE", "--plot", "x.svg"], "draws sts and binary results only"),
            "query-prompt-name": (["sts", "--data", "FILE", "--query-prompt-name", "query"], "are for `eval ir`"),
            "query-prompt": (["sts", "--data", "FILE", "--query-prompt", "q: "], "are for `eval ir`"),
            "corpus-prompt-name": (["sts", "--data", "FILE", "--corpus-prompt-name", "document"], "are for `eval ir`"),
            "corpus-prompt": (["sts", "--data", "FILE", "--corpus-prompt", "d: "], "are for `eval ir`"),
            "similarity-fn-names": (["ir", "--data", "FILE", "--similarity-fn-names", "dot"], "is for sts, triplet and binary"),
        ],
        "train": [
            "label": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--label", "score"], "takes no labels"),
            "label-scale": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--label-scale", "0.2"], "it scales --label"),
            "num-labels": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--num-labels", "3"], "for --loss softmax"),
            "mini-batch-size": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--mini-batch-size", "8"], "for --loss cached-mnrl, lambda or listnet"),
            "pos-weight": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--pos-weight", "2"], "for --cross-encoder --loss bce"),
            "num-negatives": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--num-negatives", "2"], "for --cross-encoder --loss mnrl"),
            "weighting-scheme": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--weighting-scheme", "none"], "for --cross-encoder --loss lambda"),
            "lambda-k": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--lambda-k", "3"], "for --cross-encoder --loss lambda"),
            "multi-dataset": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--multi-dataset", "round_robin"], "several --train files"),
            "eval-steps": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--eval-steps", "10"], "it needs --eval"),
            "load-best-model-at-end": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--load-best-model-at-end"], "it needs --eval"),
        ],
        "mine": [
            "cross-encoder": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--cross-encoder", "MINILM"], "rescores for a score or margin filter"),
            "seed": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--seed", "3"], "seeds --sampling-strategy random"),
            "include-positives": (["--train", "FILE", "--columns", "a,b", "--output", "/nonexistent/x", "--include-positives"], "must be n-tuple"),
        ],
        "bench-train": [
            "reranker": (["--section", "mnrl", "--reranker", "MINILM"], "trains --model"),
            "model": (["--section", "ce-bce", "--model", "MINILM"], "trains --reranker"),
            "reference-venv": (["--section", "mnrl", "--reference-venv", "/nonexistent"], "compares the whole run"),
            "baseline": (["--section", "cosent", "--baseline", "FILE"], "compares the whole run"),
        ],
        "bench": [
            "sts": (["--sts", "FILE"], "accuracy of --compute int8"),
            "batch-sizes": (["--batch-sizes", "1,2"], "columns of the --seq-len table"),
            "reference-cpuid-mask": (["--reference-cpuid-mask", "FILE"], "applies to the --reference-venv"),
        ],
    ]

    /// Command path (e.g. "index build") → its option names, from `sbert --experimental-dump-help`.
    static func dumpedOptions() throws -> [String: Set<String>] {
        let result = try SbertProcessTests.run(["--experimental-dump-help"])
        #expect(result.status == 0, "\(result.standardError)")
        let root = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any])
        var options: [String: Set<String>] = [:]
        func walk(_ command: [String: Any], path: [String]) {
            let names = (command["arguments"] as? [[String: Any]] ?? []).compactMap { argument -> String? in
                guard argument["kind"] as? String != "positional", argument["shouldDisplay"] as? Bool ?? true else { return nil }
                return (argument["preferredName"] as? [String: Any])?["name"] as? String
            }.filter { $0 != "help" && $0 != "version" }
            if !path.isEmpty { options[path.joined(separator: " ")] = Set(names) }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(sub, path: path + [sub["commandName"] as? String ?? "?"])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), path: [])
        return options
    }

    @Test func everyOptionIsAccountedFor() throws {
        for (command, names) in try Self.dumpedOptions() where !names.isEmpty {
            let listed = (Self.usedEverywhere[command] ?? []).union(Self.refusedWhereUnused[command]?.keys.map { $0 } ?? [])
            let unlisted = names.subtracting(listed).subtracting(Self.shared)
            #expect(unlisted.isEmpty, "sbert \(command): options neither used everywhere nor refused where unused: \(unlisted.sorted())")
            let stale = listed.subtracting(names)
            #expect(stale.isEmpty, "sbert \(command): listed here but not options: \(stale.sorted())")
        }
    }

    /// Paths the refusal runs use.
    static func placeholders() throws -> [String: String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("options-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("lines.txt")
        try "a cat\na dog\nthe sun\n".write(to: file, atomically: true, encoding: .utf8)
        let minilm = try SbertProcessTests.modelPath()
        let index = directory.appendingPathComponent("index").path
        let build = try SbertProcessTests.run(["index", "build", "--model", minilm, "--input", file.path, "--out", index])
        #expect(build.status == 0, "\(build.standardError)")
        return ["MINILM": minilm, "SPLADE": try TestResources.model("tiny-splade").path, "STATIC": try TestResources.model("tiny-static-embedding").path,
                "INDEX": index, "FILE": file.path]
    }

    @Test func optionsAreRefusedWhereTheyCannotTakeEffect() throws {
        let paths = try Self.placeholders()
        for (command, cases) in Self.refusedWhereUnused {
            for (option, (arguments, message)) in cases {
                let run = command.split(separator: " ").map(String.init) + arguments.map { paths[$0] ?? $0 }
                let result = try SbertProcessTests.run(run)
                #expect(result.status != 0 && result.standardError.contains(message),
                        "sbert \(command) --\(option): \(result.status) \(result.standardError)")
                #expect(result.standardOutput.isEmpty, "sbert \(command) --\(option) wrote output")
            }
        }
    }

    @Test func sharedModelOptionsAreRefusedWhereUnused() throws {
        let paths = try Self.placeholders()
        let cases: [([String], String)] = [
            (["encode", "--model", paths["MINILM"] ?? "", "--revision", "v2", "x"], "is a local directory"),
            (["encode", "--model", paths["STATIC"] ?? "", "--compute", "int8", "x"], "this model has none"),
            (["train", "--compute", "int8", "--train", paths["FILE"] ?? "", "--columns", "a,b", "--output", "/nonexistent/x"], "training computes in fp32"),
            (["bench-train", "--compute", "int8"], "training computes in fp32"),
        ]
        for (arguments, message) in cases {
            let result = try SbertProcessTests.run(arguments)
            #expect(result.status != 0 && result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
    }
}
