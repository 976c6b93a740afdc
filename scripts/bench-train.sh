#!/usr/bin/env bash
# Training benchmark: prints `sbert bench-train` JSON (MNRL batch 32 and CoSENT batch 16 on STS-B train,
# all-MiniLM-L6-v2, max_seq_length 128: steps/s, examples/s, peak RSS) beside PyTorch's figures from
# ../shared/bench/train_baseline.json, with the ratios.
#
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for this command only (see scripts/bench.sh); pass
# --keep-openblas-env to measure with them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >&2
swift build -c release --product sbert >&2
model=.models/all-MiniLM-L6-v2
if [ "${1:-}" = "--keep-openblas-env" ]; then
    shift
    exec .build/release/sbert bench-train --model "$model" "$@"
fi
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/sbert bench-train --model "$model" "$@"
