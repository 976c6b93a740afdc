#!/usr/bin/env bash
# Ingestion benchmark: SciFact (5,183 documents, all-MiniLM-L6-v2) through `sbert index build --store milvus://…` into
# a Milvus server started on loopback, then the same again into a local index (`--out`, no Milvus) for comparison. The
# ingest line gives documents/s for encode + insert beside the encoding alone, measured in the same run.
# KIND=lite (milvus-lite 3.2.2, default) or KIND=standalone (Milvus 2.3.5); the servers come from
# scripts/setup-tests.sh. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for these commands only, as in scripts/bench.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
kind=${KIND:-lite}
venv=.venv-milvus-lite
[ "$kind" = standalone ] && venv=.venv-milvus
[ -x "$venv/bin/python" ] || bash scripts/setup-tests.sh >&2
swift build -c release --product sbert >&2
swift build -c release --product sbert-milvus >&2
corpus="$root/../shared/data/beir-scifact/corpus.jsonl"
port=${PORT:-19571}
work="$(mktemp -d)"
# The server stops when this script's end of its standard input closes.
exec 3> >("$venv/bin/python" scripts/milvus-server.py --kind "$kind" --dir "$work/milvus" --port "$port" --remove-dir > "$work/ready")
trap 'exec 3>&-; rm -rf "$work"' EXIT
for _ in $(seq 600); do grep -q ready "$work/ready" 2>/dev/null && break; sleep 0.2; done
grep -q ready "$work/ready" || { echo "the $kind Milvus server did not start" >&2; exit 1; }
echo "== $kind Milvus on 127.0.0.1:$port; CPU: $(lscpu | sed -n 's/^Model name: *//p')" >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/sbert index build --input "$corpus" --model "${MODEL:-sentence-transformers/all-MiniLM-L6-v2}" \
    --store "milvus://127.0.0.1:$port/bench_$$" 2>&1 | tr '\r' '\n' | grep '^ingest'
start=$(date +%s%N)
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/sbert index build --input "$corpus" --model "${MODEL:-sentence-transformers/all-MiniLM-L6-v2}" \
    --out "$work/local" 2>&1 | tr '\r' '\n' | grep '^indexed'
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "local flat index, same corpus: $((elapsed_ms / 1000)).$(printf %03d $((elapsed_ms % 1000))) s (model load included)" >&2
