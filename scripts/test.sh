#!/usr/bin/env bash
# Sets up (OpenBLAS, the models, the aarch64 cross tools) and runs the whole test suite. Numeric tests over real
# models are slow in debug builds, so the suite is built and run in the release configuration.
#
# 1. The C kernels of every instruction-set path: each x86 path this CPU runs natively, the NEON paths under qemu.
# 2. The whole Swift suite on the CPU's best path (the hostile-client and Milvus suites on their own), then the
#    server's TEI / OpenAI conformance suite with real Python clients (scripts/test-conformance.sh).
# 3. The kernel, parity and gradient suites again on the AVX2 and portable paths (where the CPU runs them): what users
#    without AVX-512 (AMD EPYC before Zen 4, older Intel) and on other CPUs get.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup-tests.sh
bash scripts/test-kernels-c.sh
swift build -c release --build-tests
# The hostile-client suite measures /health latency under a flood: it runs alone, so that the other suites' load on
# the two cores does not count against the server.
swift test -c release --skip-build --skip 'HostileClientTests|Milvus[A-Za-z]*Tests'
swift test -c release --skip-build --filter HostileClientTests
# The Milvus client, store, hybrid and ingestion suites against real Milvus 2.3.5 and milvus-lite 3.2.2 servers (started
# by the suites on loopback, one of each): alone and one test at a time, since the ingestion runs encode SciFact on both
# cores and a starved Milvus 2.3.5 misses the other suites' deadlines.
swift test -c release --skip-build --no-parallel --filter 'Milvus[A-Za-z]*Tests'
# Real TEI and OpenAI clients (huggingface_hub, openai, langchain-huggingface) against real `sbert serve` processes.
bash scripts/test-conformance.sh

numeric='STKernelsTests|MiniLMParityTests|ArchitectureParityTests|TinyModelParityTests|CrossEncoderTests|Int8PrecisionTests|GradientParityTests|TrainableModelTests|ModelKindsParityTests'
for isa in avx2 portable; do
    if ! SBERT_ISA=$isa .build/release/sbert info --model .models/all-MiniLM-L6-v2 >/dev/null 2>&1; then
        echo "== SBERT_ISA=$isa: this CPU cannot run it; skipped"
        continue
    fi
    echo "== SBERT_ISA=$isa: kernel, parity and gradient suites"
    SBERT_ISA=$isa swift test -c release --skip-build --filter "$numeric"
done
