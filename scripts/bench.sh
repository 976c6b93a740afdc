#!/usr/bin/env bash
# Benchmark: prints `sbert bench` JSON (throughput on shared/bench/short.txt and long.txt, single-sentence latency,
# load time, peak RSS, the CPU's fp32 peak and the projection GEMM's share of it) with the Python reference's figures
# and the ratios beside it. `--isa avx2` (or SBERT_ISA) runs another kernel path than the CPU's best.
#
# When the Python reference environment exists (bash ../shared/bench/ort/setup.sh; default ~/.cache/sbert-ref, or
# SBERT_REFERENCE_VENV), ONNX Runtime fp32 and int8 and PyTorch are measured on short.txt in the same run; under
# `--isa avx2` (or another narrower x86 path) they see a CPU with that path's instructions only.
#
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for this command only, so that OpenBLAS picks the kernels for
# this CPU (the machines set them for the sake of older OpenBLAS builds; tests and CI keep them). Pass
# --keep-openblas-env to measure with them, and any other arguments through to `sbert bench`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh >&2
swift build -c release --product sbert >&2
reference=()
venv="${SBERT_REFERENCE_VENV:-$HOME/.cache/sbert-ref}"
if [ -x "$venv/bin/python" ] && [ -f "$venv/onnx/model_int8.onnx" ]; then
    reference=(--reference-venv "$venv")
    # With --isa naming a narrower x86 path, the reference runs under a CPUID mask so that it uses that path's
    # instructions too (scripts/cpuid-mask.c; needs the CPU's or hypervisor's CPUID faulting).
    if grep -q -w cpuid_fault /proc/cpuinfo 2>/dev/null && command -v gcc >/dev/null; then
        mkdir -p .build
        gcc -O2 -shared -fPIC -o .build/cpuid-mask.so scripts/cpuid-mask.c
        reference+=(--reference-cpuid-mask .build/cpuid-mask.so)
    fi
fi
if [ "${1:-}" = "--keep-openblas-env" ]; then
    shift
    exec .build/release/sbert bench "${reference[@]}" "$@"
fi
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/sbert bench "${reference[@]}" "$@"
