#!/usr/bin/env bash
# Benchmark: prints `sbert bench` JSON (throughput on shared/bench/short.txt and long.txt, single-sentence latency,
# load time, peak RSS) with the Python reference's figures and the ratios beside it.
#
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for this command only, so that OpenBLAS picks the kernels for
# this CPU (the machines set them for the sake of older OpenBLAS builds; tests and CI keep them). Pass
# --keep-openblas-env to measure with them, and any other arguments through to `sbert bench`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >&2
swift build -c release --product sbert >&2
if [ "${1:-}" = "--keep-openblas-env" ]; then
    shift
    exec .build/release/sbert bench "$@"
fi
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/sbert bench "$@"
