// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-sentence-transformers",
    // Synchronization's Mutex and Atomic (the worker pools, the async API's cancellation) need macOS 15 / iOS 18.
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "SentenceTransformers", targets: ["SentenceTransformers"]),
        // Fine-tuning (Trainer, losses, TrainableSentenceTransformer / TrainableCrossEncoder) and the HTTP server
        // (buildApplication): products of their own, so the core library stays free of SwiftNIO and Hummingbird.
        .library(name: "STTraining", targets: ["STTraining"]),
        .library(name: "STServer", targets: ["STServer"]),
        .executable(name: "sbert", targets: ["sbert"]),
        .executable(name: "sbert-serve", targets: ["sbert-serve"]),
        .executable(name: "sbert-milvus", targets: ["sbert-milvus"]),
        .library(name: "STMilvus", targets: ["STMilvus"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // The Milvus client only (STMilvus, sbert-milvus): `sbert` compiles none of gRPC, protobuf or TLS.
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "CSTKernels"),
        .target(
            name: "STKernels",
            dependencies: ["CSTKernels", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
        ),
        .target(name: "STTensor"),
        .target(name: "STTokenizers"),
        .target(name: "STModels", dependencies: ["STKernels", "STTensor"]),
        .target(name: "SentenceTransformers", dependencies: ["STModels", "STTokenizers", "STKernels", "STTensor"]),
        .target(
            name: "STTraining",
            dependencies: ["SentenceTransformers", "STModels", "STTokenizers", "STKernels", "STTensor"]
        ),
        // The request bodies TEI and OpenAI clients send, as Foundation-only types: the server decodes them, and the
        // request fuzzer builds them without the HTTP stack.
        .target(name: "STServerAPI"),
        .target(
            name: "STServer",
            dependencies: [
                "STServerAPI",
                "SentenceTransformers",
                "STTokenizers",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "STCLI",
            dependencies: [
                "SentenceTransformers",
                "STServerAPI",
                "STTraining",
                "STTokenizers",
                "STKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `sbert` compiles no HTTP server: `sbert serve` runs `sbert-serve`, built beside it.
        .executableTarget(name: "sbert", dependencies: ["STCLI"]),
        .executableTarget(
            name: "sbert-serve",
            dependencies: [
                "STCLI",
                "STServer",
                "SentenceTransformers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The load-test client lives apart so that building `sbert` compiles no HTTP client and no TLS (BoringSSL).
        .executableTarget(
            name: "sbert-bench-server",
            dependencies: [
                "STCLI",
                "SentenceTransformers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The Milvus client (gRPC over HTTP/2, generated from Protos/milvus.proto by scripts/generate-milvus-proto.sh) and
        // `MilvusVectorStore`. Apart from the core library and from `sbert`, which never compile gRPC, protobuf or TLS.
        .target(
            name: "STMilvus",
            dependencies: [
                "SentenceTransformers",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // `sbert` with milvus:// stores: the same commands; `sbert index build|add|search --store milvus://…` runs it.
        .executableTarget(
            name: "sbert-milvus",
            dependencies: ["STCLI", "STMilvus", "SentenceTransformers", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Coverage-guided fuzz targets (scripts/fuzz.sh builds them with -DSBERT_FUZZ -sanitize=fuzzer). In a normal
        // build each one replays the inputs given as arguments, so a saved finding reproduces with `swift run`.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "fuzz-tokenizer", dependencies: ["STTokenizers", "FuzzSupport"], path: "Fuzz/FuzzTokenizer"),
        .executableTarget(name: "fuzz-safetensors", dependencies: ["STTensor", "FuzzSupport"], path: "Fuzz/FuzzSafeTensors"),
        .executableTarget(name: "fuzz-requests", dependencies: ["STServerAPI", "FuzzSupport"], path: "Fuzz/FuzzRequests"),
        .target(name: "STTestSupport", path: "Tests/STTestSupport"),
        .testTarget(name: "STKernelsTests", dependencies: ["STKernels", "CSTKernels"]),
        .testTarget(name: "STTensorTests", dependencies: ["STTensor", "STTestSupport"]),
        .testTarget(name: "STTokenizersTests", dependencies: ["STTokenizers", "STTestSupport"]),
        .testTarget(name: "SentenceTransformersTests", dependencies: ["SentenceTransformers", "STModels", "STTestSupport"]),
        .testTarget(name: "STCLITests", dependencies: ["STCLI", "STTestSupport"]),
        .testTarget(name: "STMilvusTests", dependencies: ["STMilvus", "SentenceTransformers", "STTestSupport"]),
        .testTarget(name: "STTrainingTests", dependencies: ["STTraining", "SentenceTransformers", "STModels", "STTokenizers", "STKernels", "STTensor", "STTestSupport"]),
        .testTarget(
            name: "STServerTests",
            dependencies: [
                "STServer", "SentenceTransformers", "STTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
