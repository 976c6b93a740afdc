#!/usr/bin/env bash
# Regenerates Sources/STMilvus/Generated/ from Protos/milvus.proto. The generated files are committed; neither the
# build nor CI runs this.
#
# Needs protoc (Debian: protobuf-compiler) and two plugins built once, outside this package:
#   protoc-gen-swift          (apple/swift-protobuf 1.39.0, product protoc-gen-swift)
#   protoc-gen-grpc-swift-2   (grpc/grpc-swift-protobuf 2.4.1, product protoc-gen-grpc-swift-2)
# e.g. in a scratch package that depends on both: `swift build --product protoc-gen-grpc-swift-2 && swift build
# --product protoc-gen-swift`, then PLUGINS=that/.build/debug bash scripts/generate-milvus-proto.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
plugins="${PLUGINS:?set PLUGINS to the folder holding protoc-gen-swift and protoc-gen-grpc-swift-2}"
out="$root/Sources/STMilvus/Generated"
mkdir -p "$out"
protoc --proto_path="$root/Protos" \
    --plugin=protoc-gen-swift="$plugins/protoc-gen-swift" \
    --plugin=protoc-gen-grpc-swift="$plugins/protoc-gen-grpc-swift-2" \
    --swift_out="$out" --swift_opt=Visibility=Internal \
    --grpc-swift_out="$out" --grpc-swift_opt=Visibility=Internal,Client=true,Server=false \
    "$root/Protos/milvus.proto"
echo "generated: $(ls "$out")"
