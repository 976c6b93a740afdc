// swift-tools-version: 6.1
// A small app that uses swift-sentence-transformers as any other package would: by path here, by URL in yours.
import PackageDescription

let package = Package(
    name: "QuickStart",
    platforms: [.macOS(.v15), .iOS(.v18)],
    dependencies: [.package(name: "swift-sentence-transformers", path: "../..")],
    targets: [
        .executableTarget(
            name: "QuickStart",
            dependencies: [.product(name: "SentenceTransformers", package: "swift-sentence-transformers")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
