#!/usr/bin/env bash
# Sets up (OpenBLAS, the models, the aarch64 cross tools) and runs every kind of check CI runs, sized for a slow
# two-core machine: the long end-to-end runs take a sample (Tests/STTestSupport/TestScale.swift); the whole data sets,
# every suite under every kernel path and long fuzzing are scripts/test-release.sh's. Prints minutes per step at
# the end. Numeric tests over real models are slow in debug builds, so the suite is built and run in release.
#
# 1. The C kernels of every instruction-set path: each x86 path this CPU runs natively, the NEON paths under qemu.
# 2. The whole Swift suite on the CPU's best path (the hostile-client and Milvus suites on their own), then the
#    server's TEI / OpenAI conformance suite with real Python clients (scripts/test-conformance.sh).
# 3. The kernel, parity and gradient suites again on the AVX2 and portable paths (where the CPU runs them and they
#    are not the best path already): what users without AVX-512 (AMD EPYC before Zen 4, older Intel) and on other
#    CPUs get.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/steps.sh

step "setup: apt packages, models, Python venvs" bash scripts/setup-tests.sh
step "C kernels: every x86 path natively, NEON under qemu" bash scripts/test-kernels-c.sh
step "build: release, with tests" swift build -c release --build-tests
# The hostile-client suite measures /health latency under a flood: it runs alone, so that the other suites' load on
# the two cores does not count against the server.
step "Swift suite, best kernel path" swift test -c release --skip-build --skip 'HostileClientTests|Milvus[A-Za-z]*Tests|AsyncResponsivenessTests'
# Timing-sensitive (cancellation within one batch, a 10 ms tick on time beside two encodes): alone, so that no other
# test holds the cooperative threads it measures.
step "async responsiveness suite" swift test -c release --skip-build --filter AsyncResponsivenessTests
step "hostile-client suite" swift test -c release --skip-build --filter HostileClientTests
# The Milvus client, store, hybrid and ingestion suites against real Milvus 2.3.5 and milvus-lite 3.2.2 servers (started
# by the suites on loopback, one of each): alone and one test at a time, since the ingestion runs encode SciFact on both
# cores and a starved Milvus 2.3.5 misses the other suites' deadlines.
step "Milvus suites: Milvus 2.3.5 and milvus-lite" swift test -c release --skip-build --no-parallel --filter 'Milvus[A-Za-z]*Tests'
# Real TEI and OpenAI clients (huggingface_hub, openai, langchain-huggingface) against real `sbert serve` processes.
step "conformance: TEI and OpenAI clients" bash scripts/test-conformance.sh
step "example app: Examples/QuickStart, a package of its own" bash scripts/example.sh

numeric='STKernelsTests|MiniLMParityTests|ArchitectureParityTests|TinyModelParityTests|CrossEncoderTests|Int8PrecisionTests|GradientParityTests|TrainableModelTests|ModelKindsParityTests'
best=$(.build/release/sbert info --model .models/all-MiniLM-L6-v2 | awk '$1 == "kernels" { print $2 }')
for isa in avx2 portable; do
    if [ "$isa" = "$best" ]; then
        echo "== SBERT_ISA=$isa is this CPU's best path: the whole suite ran on it above"
        continue
    fi
    if ! SBERT_ISA=$isa .build/release/sbert info --model .models/all-MiniLM-L6-v2 >/dev/null 2>&1; then
        echo "== SBERT_ISA=$isa: this CPU cannot run it; skipped"
        continue
    fi
    # The cross-encoder's STS-B correlation (2,879 pairs) is a data-set figure, not a kernel check: its logits' parity
    # per pair runs on every path in the same suite; the figure itself, on the best path above.
    step "kernel, parity and gradient suites, SBERT_ISA=$isa" env SBERT_ISA=$isa swift test -c release --skip-build \
        --filter "$numeric" --skip stsBenchmarkCorrelation
done
