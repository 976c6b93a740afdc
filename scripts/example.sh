#!/usr/bin/env bash
# Builds Examples/QuickStart (a package of its own, depending on this one by path, importing only SentenceTransformers)
# and runs it on the test models; fails unless it prints what it must: a cancelled encode, the reranked hits, the
# batcher's rows. Needs the models of scripts/setup-tests.sh in .models/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/Examples/QuickStart"
swift build -c release
output=$(swift run -c release --skip-build QuickStart "$root/.models/all-MiniLM-L6-v2" "$root/.models/cross-encoder-stsb-MiniLM-L6")
echo "$output"
expect() {
    grep -qF -- "$1" <<<"$output" || { echo "example: expected a line with '$1'" >&2; exit 1; }
}
expect "loaded $root/.models/all-MiniLM-L6-v2: 384 dimensions, max 128 tokens"
expect "encoded 12/12"
expect "the long encode was cancelled"
expect "query: Someone is playing an instrument."
expect "the batcher embedded 12 texts from 12 concurrent calls"
# The best reranked hit of each query: an instrument, an animal ridden.
awk '/^query: Someone/ { getline; print }' <<<"$output" | grep -qE "playing (violin|guitar|drums)" \
    || { echo "example: the instrument query's best hit is not about an instrument" >&2; exit 1; }
awk '/^query: A person rides/ { getline; print }' <<<"$output" | grep -q "riding" \
    || { echo "example: the riding query's best hit is not about riding" >&2; exit 1; }
