import ArgumentParser
import Foundation
import SentenceTransformers

/// `sbert cluster`: groups of similar texts.
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Group texts by meaning: community detection, k-means or agglomerative clustering.",
        discussion: """
            community (Python: util.community_detection): groups of at least --min-community-size texts whose cosine \
            to the group's centre is at least --threshold; texts in no group are left out. kmeans: --clusters groups \
            (k-means++ from --seed). agglomerative: merges groups closer than --distance-threshold (cosine distance, \
            --linkage average, complete or single), as scikit-learn's AgglomerativeClustering used in Python's examples.

            Text output lists each cluster, largest first, with its line numbers (from 0) and texts; --format json gives \
            {"clusters": [[line numbers]], "labels": [cluster of each line, -1 for none]}.
            """
    )

    enum Method: String, ExpressibleByArgument, CaseIterable { case community, kmeans, agglomerative }
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var collection: TextCollection

    @Option(help: "community, kmeans or agglomerative.")
    var method: Method = .community

    @Option(help: "community: the cosine a text needs to the centre (default 0.75).")
    var threshold: Float?

    @Option(help: "community: the fewest texts of a group (default 10).")
    var minCommunitySize: Int?

    @Option(help: "kmeans: the number of clusters (required).")
    var clusters: Int?

    @Option(help: "kmeans: the seed of k-means++ (default 0).")
    var seed: UInt64?

    @Option(help: "kmeans: the most iterations (default 300).")
    var maxIterations: Int?

    @Option(help: "agglomerative: merge while the cosine distance is below this (required; 0…2).")
    var distanceThreshold: Float?

    @Option(help: "agglomerative: average (default), complete or single.")
    var linkage: String?

    @Option(help: "text or json.")
    var format: Format = .text

    func validate() throws {
        // Options of another method are refused rather than ignored.
        let given: [(Bool, String, Method)] = [
            (threshold != nil, "--threshold", .community), (minCommunitySize != nil, "--min-community-size", .community),
            (clusters != nil, "--clusters", .kmeans), (seed != nil, "--seed", .kmeans), (maxIterations != nil, "--max-iterations", .kmeans),
            (distanceThreshold != nil, "--distance-threshold", .agglomerative), (linkage != nil, "--linkage", .agglomerative),
        ]
        for (isGiven, flag, owner) in given where isGiven && owner != method {
            throw ValidationError("\(flag) is an option of --method \(owner.rawValue), not \(method.rawValue)")
        }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a number") }
        if let minCommunitySize, minCommunitySize < 1 { throw ValidationError("--min-community-size must be positive") }
        if let maxIterations, maxIterations < 1 { throw ValidationError("--max-iterations must be positive") }
        if let linkage, AgglomerativeClustering.Linkage(rawValue: linkage) == nil {
            throw ValidationError("unknown --linkage '\(linkage)' (average, complete, single)")
        }
        switch method {
        case .kmeans:
            guard let clusters else { throw ValidationError("--method kmeans needs --clusters") }
            guard clusters > 0 else { throw ValidationError("--clusters must be positive") }
        case .agglomerative:
            guard let distanceThreshold else { throw ValidationError("--method agglomerative needs --distance-threshold") }
            guard distanceThreshold.isFinite, distanceThreshold >= 0 else { throw ValidationError("--distance-threshold must be a number ≥ 0") }
        case .community:
            break
        }
    }

    func run() throws {
        let model = try modelOptions.load()
        let texts = try collection.read()
        let embeddings = try collection.encode(texts, model: model, label: "embed")
        var groups: [[Int]]
        switch method {
        case .community:
            groups = try communityDetection(embeddings: embeddings, threshold: threshold ?? 0.75, minCommunitySize: minCommunitySize ?? 10)
        case .kmeans:
            guard let clusters, clusters <= texts.count else {
                throw CLIError("--clusters \(clusters ?? 0) is more than the \(texts.count) texts")
            }
            let result = try KMeans(clusters: clusters, maxIterations: maxIterations ?? 300, seed: seed ?? 0).fit(embeddings)
            groups = Self.groups(labels: result.labels)
        case .agglomerative:
            let linkage = linkage.flatMap(AgglomerativeClustering.Linkage.init(rawValue:)) ?? .average
            groups = Self.groups(labels: try AgglomerativeClustering(distanceThreshold: distanceThreshold ?? 0, linkage: linkage).fit(embeddings))
        }
        if method != .community {
            // Largest first, as community detection gives them; equal sizes by their first line.
            groups.sort { $0.count != $1.count ? $0.count > $1.count : ($0.first ?? 0) < ($1.first ?? 0) }
        }
        var labels = [Int](repeating: -1, count: texts.count)
        for (cluster, members) in groups.enumerated() { for member in members { labels[member] = cluster } }
        switch format {
        case .json:
            let object: [String: Any] = ["clusters": groups, "labels": labels]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        case .text:
            for (cluster, members) in groups.enumerated() {
                print("cluster \(cluster) (\(members.count) texts)")
                for member in members { print("  \(member)\t\(texts[member])") }
            }
            let unassigned = labels.filter { $0 < 0 }.count
            if unassigned > 0 { print("\(unassigned) texts in no cluster") }
        }
    }

    /// Row indices by label, labels in order of first appearance.
    static func groups(labels: [Int]) -> [[Int]] {
        var order: [Int] = [], members: [Int: [Int]] = [:]
        for (row, label) in labels.enumerated() {
            if members[label] == nil { order.append(label) }
            members[label, default: []].append(row)
        }
        return order.map { members[$0] ?? [] }
    }
}
