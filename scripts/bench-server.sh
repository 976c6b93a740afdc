#!/usr/bin/env bash
# Server load benchmark: starts `sbert serve`, runs 30 s of single-sentence /embed requests on 64 connections from
# shared/bench/short.txt (every answer checked against the library's vector), then the same at 2x load against a
# server admitting only 16 requests at once (expect 200s and 429s only, and bounded memory). Prints two JSON reports.
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for these commands only, as in scripts/bench.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >&2
swift build -c release --product sbert >&2
swift build -c release --product sbert-serve >&2
swift build -c release --product sbert-bench-server >&2
sbert=.build/release/sbert
port=${PORT:-3917}

run() {
    local label=$1 connections=$2; shift 2
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$sbert" serve --host 127.0.0.1 --port "$port" "$@" >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.2; done
    echo "== $label" >&2
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/sbert-bench-server --url "http://127.0.0.1:$port" --connections "$connections" \
        --duration "${DURATION:-30}" --server-pid "$pid"
    kill -TERM "$pid"; wait "$pid" || true
}

run "64 connections" 64
run "2x overload, --max-concurrent-requests 16" 128 --max-concurrent-requests 16
