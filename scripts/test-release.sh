#!/usr/bin/env bash
# Before a release: everything scripts/test.sh (CI) runs, with the long end-to-end runs whole (SBERT_FULL_TESTS=1:
# SciFact's 5,183 documents against the published NDCG@10 with all-MiniLM-L6-v2 and all-mpnet-base-v2, SICK-R,
# all-mpnet-base-v2 on STS-B, HNSW over 52,220 sentences, the 360-step fine-tune against Python's result, a million
# lines streamed, both Milvus servers over the whole corpus), then the whole Swift suite again on the AVX2 and
# portable kernel paths, then 5 minutes of fuzzing per target. About 2.5 hours on a two-core Xeon.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/steps.sh
export SBERT_FULL_TESTS=1

bash scripts/test.sh
for isa in avx2 portable; do
    if ! SBERT_ISA=$isa .build/release/sbert info --model .models/all-MiniLM-L6-v2 >/dev/null 2>&1; then
        echo "== SBERT_ISA=$isa: this CPU cannot run it; skipped"
        continue
    fi
    step "whole Swift suite, SBERT_ISA=$isa" env SBERT_ISA=$isa swift test -c release --skip-build --skip 'HostileClientTests|Milvus[A-Za-z]*Tests'
done
step "fuzzing: 5 minutes per target" bash scripts/fuzz.sh 300
