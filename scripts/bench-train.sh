#!/usr/bin/env bash
# Training benchmark: prints `sbert bench-train` JSON for MNRL (batch 32) and CoSENT (batch 16) on all-MiniLM-L6-v2,
# and BCE and MNRL (batch 16) on the STS-B cross-encoder, all on STS-B train at max_seq_length 128: steps/s,
# examples/s and peak RSS, each beside PyTorch's on the same batches in the same run (scripts/bench-train-reference.py
# in the Python reference environment: bash ../shared/bench/ort/setup.sh; default ~/.cache/sbert-ref, or
# SBERT_REFERENCE_VENV), with the ratios. Without that environment only our figures are printed. Other arguments go to
# `sbert bench-train` (e.g. --baseline ../shared/bench/train_baseline.json adds earlier figures, with their machine).
#
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for this command only (see scripts/bench.sh); pass
# --keep-openblas-env to measure with them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >&2
[ -d .models/cross-encoder-stsb-MiniLM-L6 ] || bash scripts/setup-tests.sh >&2
swift build -c release --product sbert >&2
arguments=(--model .models/all-MiniLM-L6-v2 --reranker .models/cross-encoder-stsb-MiniLM-L6)
venv="${SBERT_REFERENCE_VENV:-$HOME/.cache/sbert-ref}"
[ -x "$venv/bin/python" ] && arguments+=(--reference-venv "$venv")
if [ "${1:-}" = "--keep-openblas-env" ]; then
    shift
    exec .build/release/sbert bench-train "${arguments[@]}" "$@"
fi
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/sbert bench-train "${arguments[@]}" "$@"
