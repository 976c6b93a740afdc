#!/usr/bin/env bash
# End to end on a domain, beside Python in the same run: mine hard negatives from SciFact's train queries with
# all-MiniLM-L6-v2, fine-tune the STS-B cross-encoder on them for one epoch with `sbert train --cross-encoder` and with
# Python's CrossEncoderTrainer (same mined rows and settings), then rerank all-MiniLM-L6-v2's top 100 for each SciFact
# test query and print NDCG@10 of: the bi-encoder alone, the untrained reranker, ours fine-tuned, Python's fine-tuned
# (scored by Python); before it, each training's time, examples/s and peak RSS. Minutes per step at the end.
#
#   bash scripts/rerank-scifact.sh [WORK_DIR] [QUERIES]   # default .build/rerank-scifact, all 300 test queries
#
# Reranking costs most: 100 candidates of up to 512 tokens (the untrained model's limit; 256 for the fine-tuned ones)
# per query, about 20 minutes per reranker for all 300 queries on two cores; QUERIES takes the first QUERIES only.
#
# A step whose output is in WORK_DIR already is skipped, so a stopped run continues; delete WORK_DIR to start over.
#
# A benchmark of quality, not a test: never in CI. The Python reference is ../shared/bench/ort/setup.sh's venv
# (torch 2.15.0, sentence-transformers 6.2.0, transformers 5.24.0), SBERT_REFERENCE_VENV to use another.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/steps.sh
work="${1:-.build/rerank-scifact}"
queries="${2:-300}"
venv="${SBERT_REFERENCE_VENV:-$HOME/.cache/sbert-ref}"
data=../shared/data/beir-scifact
bi=.models/all-MiniLM-L6-v2
base=.models/cross-encoder-stsb-MiniLM-L6
python="$venv/bin/python"
settings='{"batch_size": 16, "lr": 2e-5, "warmup_ratio": 0.1, "weight_decay": 0.01, "seed": 12, "max_seq_length": 256}'
mkdir -p "$work/rankings"

prepare() {
    bash scripts/setup.sh >/dev/null
    [ -d "$base" ] || bash scripts/setup-tests.sh >/dev/null
    bash ../shared/bench/ort/setup.sh "$venv" >/dev/null
    "$venv/bin/pip" install -q accelerate==1.16.0 datasets==4.4.1   # what CrossEncoderTrainer needs beyond the venv
    swift build -c release --product sbert
    "$python" scripts/rerank-scifact.py prepare "$data" "$work"
}
mine() {
    [ -s "$work/mined.jsonl" ] && return
    # One hard negative per pair from ranks 10–100 that scores below 0.8 (sentence-transformers' reranker recipe),
    # as (query, answer, label) rows: 1 for the positive, 0 for the negative.
    .build/release/sbert mine --model "$bi" --train "$work/pairs.jsonl" --columns query,answer --corpus "$work/corpus.jsonl" \
        --range-min 10 --range-max 100 --max-score 0.8 --num-negatives 1 --output-format labeled-pair --output "$work/mined.jsonl"
    wc -l < "$work/mined.jsonl"
}
measure() {  # measure LABEL COMMAND…: wall time and peak RSS into $work/training.tsv
    # A benchmark: OpenBLAS's CPU overrides are unset for it, as in scripts/bench.sh.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE SBERT_MEASURE_FILE="$work/training.tsv" "$python" scripts/rerank-scifact.py measure "$@"
}
train_ours() {
    [ -f "$work/ours/model.safetensors" ] && return
    rm -rf "$work/ours"
    measure "ours (sbert train --cross-encoder)" .build/release/sbert train --cross-encoder --model "$base" --train "$work/mined.jsonl" --columns query,answer --label label \
        --loss bce --epochs 1 --batch-size 16 --lr 2e-5 --warmup-ratio 0.1 --weight-decay 0.01 --seed 12 --max-seq-length 256 \
        --output "$work/ours"
}
train_python() {
    [ -f "$work/python/model.safetensors" ] && return
    rm -rf "$work/python"
    HF_HUB_OFFLINE=1 measure "Python (CrossEncoderTrainer)" "$python" scripts/rerank-scifact.py train "$base" "$work/mined.jsonl" "$work/python" "$settings"
}
retrieve() {
    head -n "$queries" "$work/test-queries.txt" > "$work/queries.txt"
    if [ -s "$work/rankings/1-bi-encoder.jsonl" ] && cmp -s "$work/queries.txt" "$work/rankings/1-bi-encoder.jsonl.queries"; then return; fi
    rm -f "$work"/rankings/*
    [ -d "$work/index" ] || .build/release/sbert index build --model "$bi" --input "$data/corpus.jsonl" --out "$work/index"
    .build/release/sbert search --index "$work/index" --top-k 100 --format json < "$work/queries.txt" > "$work/rankings/1-bi-encoder.jsonl"
    cp "$work/queries.txt" "$work/rankings/1-bi-encoder.jsonl.queries"
}
rerank() {  # rerank NAME MODEL: ours, through sbert search --rerank-with
    [ -s "$work/rankings/$1.jsonl" ] && return
    .build/release/sbert search --index "$work/index" --top-k 100 --rerank-with "$2" --format json \
        < "$work/queries.txt" > "$work/rankings/$1.jsonl"
}
rerank_python() {  # rerank_python NAME MODEL: Python's CrossEncoder over the bi-encoder's candidates
    [ -s "$work/rankings/$1.jsonl" ] && return
    HF_HUB_OFFLINE=1 "$python" scripts/rerank-scifact.py score "$2" "$work/rankings/1-bi-encoder.jsonl" "$work/rankings/$1.jsonl"
}

step "prepare: setup, build, SciFact pairs" prepare
step "mine: all-MiniLM-L6-v2, labeled pairs" mine
step "train: ours (sbert train --cross-encoder)" train_ours
step "train: Python (CrossEncoderTrainer)" train_python
step "retrieve: all-MiniLM-L6-v2 top 100" retrieve
step "rerank: untrained STS-B cross-encoder (ours)" rerank 2-untrained-reranker "$base"
step "rerank: ours fine-tuned (ours)" rerank 3-ours-fine-tuned "$work/ours"
step "rerank: Python fine-tuned (Python)" rerank_python 4-python-fine-tuned "$work/python"
"$python" scripts/rerank-scifact.py table "$data" "$work" | tee "$work/table.md"
