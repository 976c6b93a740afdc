import STCLI
import STMilvus
import SentenceTransformers

// `sbert-milvus`: the `sbert` commands, with `--store milvus://HOST:PORT/COLLECTION` served by STMilvus. `sbert`
// itself links no gRPC and runs this program for milvus:// stores.
StoreSchemes.register("milvus") { request in
    let location = try MilvusStoreLocation(request.location)
    let client = try MilvusClient(location.configuration)
    var index = MilvusIndexType.hnsw(m: 16, efConstruction: 200)
    var efSearch = 200
    switch request.kind {
    case let .hnsw(m, efConstruction, ef):
        index = .hnsw(m: m, efConstruction: efConstruction)
        efSearch = ef
    case .flat:
        index = .flat
    }
    return try await MilvusVectorStore.open(client: client, collection: location.collection, dimension: request.dimension,
                                            metric: request.metric, index: index, efSearch: efSearch)
}
// `main(_:)` with an explicit argument is the async entry point (a bare `main()` resolves to the synchronous one,
// which prints help instead of running async subcommands).
StandardOutput.prepare()
await SbertCommand.main(nil)
