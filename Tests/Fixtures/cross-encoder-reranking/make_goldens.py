"""Golden metrics of sentence-transformers 6.2's CrossEncoderRerankingEvaluator, for the Swift evaluator.

Regenerate (from the repository root, with the models of scripts/setup-tests.sh in .models/):

    ~/.cache/sbert-ref/bin/python Tests/Fixtures/cross-encoder-reranking/make_goldens.py .models Tests/Fixtures/cross-encoder-reranking

Samples: the first 16 queries of the mining sample (../mining/sample), each with its answer as the positive and five
documents of the sample corpus chosen by a fixed stride as negatives; `samples.jsonl` holds them in the dict form the
evaluator takes. Cases: `negative` samples at at_k 10 and 3; `documents` samples (the positive placed among the
candidates, left out of them for every fourth query, a duplicated candidate so that scores tie, one query without a
positive among its candidates and none outside) with always_rerank_positives true and false, which also report the
`base_` metrics of the given order. The model is cross-encoder-stsb-MiniLM-L6 (max_length 256), float32 on the CPU.
"""
import json
import os
import sys

import sentence_transformers
import torch
from sentence_transformers.cross_encoder import CrossEncoder
from sentence_transformers.cross_encoder.evaluation import CrossEncoderRerankingEvaluator

MODELS, OUT = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


def jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


pairs = jsonl(os.path.join(HERE, "..", "mining", "sample", "pairs.jsonl"))
corpus = [row["text"] for row in jsonl(os.path.join(HERE, "..", "mining", "sample", "corpus.jsonl"))]
seen, queries = set(), []
for pair in pairs:
    if pair["query"] not in seen:
        seen.add(pair["query"])
        queries.append(pair)
    if len(queries) == 16:
        break

negative_samples, document_samples = [], []
for i, pair in enumerate(queries):
    negatives = [corpus[(37 * i + 97 * j) % len(corpus)] for j in range(5)]
    negative_samples.append({"query": pair["query"], "positive": [pair["answer"]], "negative": negatives})
    documents = list(negatives)
    if i % 4 != 0:
        documents.insert(i % 7, pair["answer"])
    if i % 5 == 1:
        documents.append(documents[0])
    positive = [pair["answer"]]
    document_samples.append({"query": pair["query"], "positive": positive, "documents": documents})

model = CrossEncoder(os.path.join(MODELS, "cross-encoder-stsb-MiniLM-L6"), device="cpu", max_length=256)
cases = {}
for name, samples, kwargs in [
    ("negatives_at10", negative_samples, {"at_k": 10}),
    ("negatives_at3", negative_samples, {"at_k": 3}),
    ("documents_rerank_positives", document_samples, {"at_k": 10, "always_rerank_positives": True}),
    ("documents_as_given", document_samples, {"at_k": 10, "always_rerank_positives": False}),
]:
    evaluator = CrossEncoderRerankingEvaluator(samples, name="scifact", batch_size=16, write_csv=False, **kwargs)
    metrics = evaluator(model)
    cases[name] = {"kwargs": kwargs, "samples": "negative" if samples is negative_samples else "documents",
                   "primary_metric": evaluator.primary_metric,
                   "metrics": {key: float(value) for key, value in metrics.items()}}

with open(os.path.join(OUT, "samples.jsonl"), "w", encoding="utf-8") as f:
    for row in negative_samples:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
with open(os.path.join(OUT, "documents.jsonl"), "w", encoding="utf-8") as f:
    for row in document_samples:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
out = {"versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__}, "cases": cases}
with open(os.path.join(OUT, "goldens.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
