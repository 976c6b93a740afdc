import STCLI
import STMilvus
import SentenceTransformers

/// `sbert-milvus`: the `sbert` commands, with `--store milvus://HOST:PORT/COLLECTION` served by STMilvus. `sbert`
/// itself links no gRPC and runs this program for milvus:// stores.
@main
enum SbertMilvusMain {
    static func main() async {
        SbertCommand.runCompanionIfNeeded()
        StoreSchemes.register("milvus") { request in
            let location = try MilvusStoreLocation(request.location)
            let client = try MilvusClient(location.configuration)
            var index = MilvusIndexType.hnsw(m: 16, efConstruction: 200)
            var efSearch = request.efSearch ?? MilvusVectorStore.defaultEfSearch
            switch request.kind {
            case let .hnsw(m, efConstruction, ef):
                index = .hnsw(m: m, efConstruction: efConstruction)
                efSearch = request.efSearch ?? ef
            case .flat:
                index = .flat
            }
            return try await MilvusVectorStore.open(client: client, collection: location.collection, dimension: request.dimension,
                                                    metric: request.metric, index: index, efSearch: efSearch, model: request.model,
                                                    sparseDimension: request.sparseDimension, sparseModel: request.sparseModel)
        }
        // An `@main` type's async `main` (as in `sbert`): top-level `await SbertCommand.main(nil)` resolved to the
        // synchronous entry point, which printed help for the async subcommands (`index build`, `search`).
        StandardOutput.prepare()
        await SbertCommand.main(nil)
        StandardOutput.finish()
    }
}
